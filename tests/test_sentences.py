from stance.sentences import spans_from_sentences, split_sentences


def test_offsets_index_the_original_text(seed_text):
    spans = split_sentences(seed_text)
    assert spans, "no sentences"
    for span in spans:
        assert seed_text[span.start : span.end] == span.text
        assert span.text == span.text.strip()
    starts = [s.start for s in spans]
    assert starts == sorted(starts)


def test_seed_headline_and_lead_ins_are_sentences(seed_text):
    texts = [s.text for s in split_sentences(seed_text)]
    assert "Colombia's Petro Breaks With Washington On Venezuela, Warns Against Foreign Military Action" in texts
    assert "Behind the Headlines" in texts
    assert "Why It Matters: This is more than a Colombia–Venezuela dispute." in texts
    assert any(t.startswith("Big Picture: To the U.S., Venezuela is a narco-state") for t in texts)


def test_abbreviations_do_not_end_sentences():
    text = "Sen. Marco Rubio, R-Fla., said the U.S. would act. He spoke at 3 p.m. on Monday. The U.S. Treasury agreed."
    assert [s.text for s in split_sentences(text)] == [
        "Sen. Marco Rubio, R-Fla., said the U.S. would act.",
        "He spoke at 3 p.m. on Monday.",
        "The U.S. Treasury agreed.",
    ]


def test_line_breaks_end_sentences_and_blank_lines_vanish():
    text = "Headline Without Period\n\n  First sentence here.   Second one.\n"
    spans = split_sentences(text)
    assert [s.text for s in spans] == ["Headline Without Period", "First sentence here.", "Second one."]
    assert split_sentences("   \n\n ") == []


def test_given_sentences_keep_their_boundaries():
    text, spans = spans_from_sentences(["One. Two.", "Three"])
    assert [text[s.start : s.end] for s in spans] == ["One. Two.", "Three"]


def test_segmenter_finds_the_same_sentences_as_pysbd(seed_text):
    import pysbd

    from stance.sentences import _segmenter

    texts = [
        seed_text,
        'He said no. He said no.  "No."  Sen. Marco Rubio, R-Fla., said so. U.S. officials agreed... Really?!',
        "Dr. No.  Mr. Smith went.\u00a0He left.",
    ]
    ours, theirs = _segmenter("en"), pysbd.Segmenter(language="en", clean=False)
    for text in texts:
        for line in text.splitlines():
            assert ours.segment(line) == theirs.segment(line)
