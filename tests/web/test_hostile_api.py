"""The JSON API fuzzed against its own OpenAPI document with schemathesis, straight through WSGI.

Every operation in /api/openapi.json gets generated requests, valid and invalid (odd postcodes, huge
numbers, strings where numbers go, missing and extra parameters). Each answer must be below 500, match
the schema the document gives for its status and media type, and, when it is an error, be the document's
own error shape. A failure here means the app or the document is wrong: the document must stay true.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from townhall import create_app

pytestmark = pytest.mark.slow  # about 30 s: `make test` runs it, `make test-fast` does not
EXAMPLES = 1000  # in each mode (valid requests, invalid requests), spread over the 20 operations; half in Welsh


@pytest.fixture(scope="module")
def api_app(tmp_path_factory, module_search_index):
    return create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path_factory.mktemp("api-fuzz")),
                       "TOWNHALL_SEARCH_INDEX": module_search_index})


@pytest.fixture(scope="module")
def api_schema(api_app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", api_app)


@schemathesis.check
def errors_have_the_documented_shape(ctx, response, case) -> bool | None:
    """Every 4xx and 5xx under /api/ is {"error": {"code", "status", "message"}} with the real status."""
    if response.status_code < 400:
        return None
    body = response.json()
    error = body["error"]
    assert set(body) == {"error"}, body
    assert error["status"] == response.status_code, error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    return True


# Not schemathesis's negative_data_rejection and positive_data_acceptance: the API deliberately reads more than
# its schemas promise (a blank filter counts as not given, spaces are trimmed, true/TRUE, day names as well as
# MO..SU, postcodes with the usual typos corrected), and refuses some schema-valid strings for what they mean
# (a path segment that is no postcode is a documented 400 not_a_postcode). Both answers are documented.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          errors_have_the_documented_shape]


@pytest.mark.parametrize("language", ["", "/cy"], ids=["english", "welsh"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda mode: mode.value)
def test_every_api_operation_answers_as_documented(api_app, api_schema, mode, language):
    tried: set[str] = set()

    @settings(max_examples=EXAMPLES if not language else EXAMPLES // 2, deadline=None, derandomize=True,
              database=None, suppress_health_check=list(HealthCheck))
    @given(case=api_schema.as_strategy(mode))
    def answers_as_documented(case):
        tried.add(case.operation.label)
        # the Welsh site answers the same API under /cy/api/ (messages in Welsh, the same shapes)
        case.call_and_validate(base_url=f"http://localhost{language}", checks=CHECKS)

    answers_as_documented()
    operations = [result.ok() for result in api_schema.get_all_operations()]
    # schemathesis leaves out the document's own route (test_openapi checks that answer against its schema)
    documented = {f"{method.upper()} {path}" for path, item in api_app.test_client().get("/api/openapi.json")
                  .get_json()["paths"].items() for method in item} - {"GET /api/openapi.json"}
    assert {operation.label for operation in operations} == documented
    if mode is GenerationMode.POSITIVE:
        expected = documented
    else:  # only a parameter with a type or bounds can be made invalid: every operation with a query
        expected = {operation.label for operation in operations if operation.query}
    assert tried >= expected, sorted(expected - tried)


def test_the_error_shape_check_can_fail(api_app):
    class Answer:
        status_code = 404

        def __init__(self, body):
            self.body = body

        def json(self):
            return self.body

    assert errors_have_the_documented_shape(None, Answer({"error": {"code": "x", "status": 404, "message": "m"}}),
                                            None)
    for wrong in ({"message": "Not found"}, {"error": {"code": "x", "status": 400, "message": "m"}},
                  {"error": {"code": "", "status": 404, "message": "m"}}, {"error": {}, "detail": 1}):
        with pytest.raises((AssertionError, KeyError)):
            errors_have_the_documented_shape(None, Answer(wrong), None)
