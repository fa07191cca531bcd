"""Welsh search: Welsh analysis (mutations, plurals, accents), Welsh versions of pages,
spelling suggestions in the query's own language, and the engine's other ranking rules
that came with them (pages named in the query first; searches running at once)."""

from __future__ import annotations

import threading

import pytest

from townhall.search import SearchDocument, SearchEngine, build_index, welsh
from townhall.search import engine as engine_module
from townhall.search.query import query_words, stem_word, understand
from townhall.search.synonyms import parse_synonyms

SYNONYMS = parse_synonyms("council tax = ctax\n", key=stem_word)


@pytest.mark.parametrize("forms", [
    ("cyngor", "gyngor", "nghyngor", "chyngor"),
    ("treth", "dreth", "nhreth", "threth"),
    ("pobl", "bobl", "mhobl", "phobl"),
    ("bin", "fin", "min", "biniau", "miniau", "finiau"),
    ("llyfrgell", "lyfrgell", "llyfrgelloedd"),
    ("rhif", "rif"),
    ("gwasanaeth", "wasanaeth", "gwasanaethau"),
    ("dŵr", "dwr", "ddŵr", "nŵr"),
    ("ysgol", "ysgolion", "Ysgol"),
])
def test_mutated_plural_and_unaccented_forms_share_one_term(forms):
    assert len({welsh.term(form) for form in forms}) == 1


def test_different_words_stay_different():
    assert len({welsh.term(word) for word in ("cyngor", "treth", "ffordd", "twll", "bin", "ysgol")}) == 6


def test_welsh_terms_never_look_like_english_ones():
    assert all(found.startswith("~") for found in welsh.terms("Talu eich Treth Gyngor â cherdyn"))
    assert welsh.terms("yn y ffordd i'r ysgol") == [welsh.term("ffordd"), welsh.term("ysgol")]
    assert welsh.term("yn") is None and welsh.term("a") is None and welsh.term("123") is None


def test_query_words_keep_english_words_whole_and_split_welsh_ones():
    assert query_words("don't fy miniau'n") == [("dont", ("don", "t")), ("fy", ("fy",)),
                                                 ("miniaun", ("miniau", "n"))]
    concept = understand("miniau'n", SYNONYMS).concepts[0]
    assert concept.welsh == (welsh.term("bin"),)


def documents():
    return [
        SearchDocument("service:pay-council-tax", "service", "Pay your Council Tax", "/services/pay-council-tax",
                       summary="Pay online or by direct debit.", keywords=("council tax bill",),
                       category="council-tax", category_title="Council Tax"),
        SearchDocument("service:pay-council-tax@cy", "service", "Talu eich Treth Gyngor",
                       "/services/pay-council-tax", summary="Talwch drwy Ddebyd Uniongyrchol.",
                       keywords=("bil treth gyngor",), category="council-tax", category_title="Treth Gyngor",
                       lang="cy", ref="service:pay-council-tax"),
        SearchDocument("organisation:dentist", "organisation", "NHS dentists", "/directory/dentist",
                       summary="Find a dentist to look after your teeth.", keywords=("teeth", "toothache"),
                       council=False, organisation="NHS", phone="111"),
        SearchDocument("service:pothole", "service", "Report a pothole", "/services/pothole",
                       summary="Tell us about a hole in the road.", keywords=("pothole", "road damage")),
        SearchDocument("service:pothole@cy", "service", "Rhoi gwybod am dwll yn y ffordd", "/services/pothole",
                       summary="Rhowch wybod i ni am dwll yn y ffordd.", keywords=("twll yn y ffordd",),
                       lang="cy", ref="service:pothole"),
        SearchDocument("service:bulky", "service", "Book a bulky waste collection", "/services/bulky",
                       summary="We collect large items such as sofas.", keywords=("sofa",)),
        SearchDocument("service:join-library", "service", "Join the library", "/services/join-library",
                       summary="Join the library to borrow books. Check library opening times.",
                       keywords=("library", "libraries", "library card", "opening times")),
        SearchDocument("facility:brackenford-library", "facility", "Brackenford Library",
                       "/find-my-nearest?category=libraries&postcode=BK1+1BD", summary="Books and computers.",
                       address="109 High Street, Brackenford, BK1 1BD", listed=True),
    ]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("welsh-index")
    build_index(folder, documents(), "welsh")
    return SearchEngine(folder, SYNONYMS)


def test_a_welsh_query_finds_the_welsh_version_and_is_never_corrected_to_english(engine):
    for lang in ("cy", "en"):
        results = engine.search("treth gyngor", lang=lang)
        assert results.suggestion is None, lang  # never "teeth gyngor"
        assert results.language == "cy"
        assert results.hits[0].id == "service:pay-council-tax@cy" and results.hits[0].lang == "cy"
        assert "organisation:dentist" not in [hit.id for hit in results.hits]


def test_mutated_forms_find_the_page(engine):
    for typed in ("y dreth gyngor", "cyngor", "nhreth", "twll", "dwll yn y ffordd"):
        assert engine.search(typed, lang="cy").hits, typed


def test_welsh_typos_are_corrected_from_welsh_words_only(engine):
    results = engine.search("gyngorr", lang="cy")
    assert results.language == "cy" and results.suggestion == "gyngor"
    assert results.hits[0].ref == "service:pay-council-tax"


def test_english_typos_are_still_corrected_in_english(engine):
    results = engine.search("counsil tax")
    assert results.suggestion == "council tax" and results.hits[0].id == "service:pay-council-tax"


def test_each_page_appears_once_in_the_readers_language(engine):
    welsh_site = engine.search("council tax", lang="cy")
    assert [hit.ref for hit in welsh_site.hits].count("service:pay-council-tax") == 1
    assert welsh_site.hits[0].lang == "cy" and welsh_site.hits[0].title == "Talu eich Treth Gyngor"
    english_site = engine.search("council tax", lang="en")
    assert english_site.hits[0].id == "service:pay-council-tax" and english_site.hits[0].lang == "en"
    assert english_site.total == 1


def test_pages_without_a_welsh_version_are_found_in_english_on_the_welsh_site(engine):
    results = engine.search("sofa", lang="cy")
    assert results.hits[0].id == "service:bulky" and results.hits[0].lang == "en"


def test_a_place_named_in_the_query_comes_first(engine):
    assert engine.search("library opening times").hits[0].id == "service:join-library"
    named = engine.search("brackenford library opening times").hits
    assert named[0].id == "facility:brackenford-library"
    assert named[0].address == "109 High Street, Brackenford, BK1 1BD" and named[0].summary == "Books and computers."


def test_searches_run_at_the_same_time(engine, monkeypatch):
    """Two searches are scored at once: nothing holds a lock for the whole query."""
    barrier = threading.Barrier(2, timeout=10)
    real_run = engine_module.SearchEngine._run
    met = []

    def run(self, *args, **kwargs):
        met.append(barrier.wait())  # raises BrokenBarrierError if the other search cannot get here
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(engine_module.SearchEngine, "_run", run)
    answers = {}
    threads = [threading.Thread(target=lambda q=q: answers.__setitem__(q, engine.search(q, page=3)))
               for q in ("pothole", "sofa")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(met) == [0, 1]
    assert answers["pothole"].hits[0].ref == "service:pothole" and answers["sofa"].hits[0].id == "service:bulky"


def test_many_threads_get_the_same_answers_as_one(engine):
    queries = ["treth gyngor", "council tax", "pothole", "twll", "library", "sofa", "counsil", "gyngorr"] * 6
    expected = {q: [hit.id for hit in engine.search(q, lang="cy", per_page=3).hits] for q in queries}
    fresh = SearchEngine(engine.root, SYNONYMS)  # its caches are empty: every thread really searches
    got, errors = {}, []

    def work(chunk):
        try:
            for q in chunk:
                got.setdefault(q, set()).add(tuple(hit.id for hit in fresh.search(q, lang="cy", per_page=3).hits))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(queries[n::8],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert {q: {tuple(ids)} for q, ids in expected.items()} == got
