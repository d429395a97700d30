//! Slack's limits: a message at each limit goes out unchanged, one over any limit is cut or
//! split into messages that all pass `check_limits`, and nothing is lost on the way.

use serde_json::json;

use super::*;
use crate::domain::Lang;

fn draft(blocks: Vec<Block>) -> Draft {
    Draft {
        lang: Lang::Fr,
        text: "notification".into(),
        blocks,
    }
}

fn s(n: usize) -> String {
    "x".repeat(n)
}

/// Finalises and checks every resulting message.
fn finalize_valid(d: Draft) -> Vec<Message> {
    let messages = d.finalize();
    for m in &messages {
        check_limits(m).unwrap_or_else(|e| panic!("{e}"));
    }
    messages
}

fn assert_unchanged(d: Draft) {
    let messages = finalize_valid(d.clone());
    assert_eq!(
        messages.len(),
        1,
        "split a message that was within the limits"
    );
    assert_eq!(messages[0].text(), d.text);
    assert_eq!(messages[0].blocks(), &d.blocks[..]);
}

fn section_text(b: &Block) -> &str {
    match b {
        Block::Section { text: Some(t), .. } => t.as_str(),
        other => panic!("not a section with text: {other:?}"),
    }
}

#[test]
fn a_message_at_each_limit_is_posted_unchanged() {
    assert_unchanged(draft(vec![Block::header(s(MAX_HEADER_TEXT))]));
    assert_unchanged(draft(vec![Block::section(s(MAX_SECTION_TEXT))]));
    assert_unchanged(draft(vec![Block::fields(None, vec![s(MAX_FIELD_TEXT)])]));
    assert_unchanged(draft(vec![Block::fields(
        Some("t".into()),
        (0..MAX_FIELDS).map(|i| i.to_string()).collect(),
    )]));
    assert_unchanged(draft(vec![Block::context(
        (0..MAX_CONTEXT_ELEMENTS).map(|i| i.to_string()).collect(),
    )]));
    let buttons = (0..MAX_ACTIONS_ELEMENTS)
        .map(|i| Button::new("Ok", format!("a{i}")))
        .collect();
    assert_unchanged(draft(vec![Block::actions(buttons)]));
    assert_unchanged(draft(vec![Block::divider().with_block_id(s(MAX_BLOCK_ID))]));
    assert_unchanged(draft(vec![Block::divider(); MAX_BLOCKS]));
    let mut long_text = draft(vec![Block::section("hi")]);
    long_text.text = "é".repeat(MAX_FALLBACK_TEXT);
    assert_unchanged(long_text);
}

#[test]
fn blocks_weighing_exactly_the_budget_stay_in_one_message() {
    let mut blocks: Vec<Block> = (0..4).map(|_| Block::section(s(2900))).collect();
    let pad = MAX_BLOCKS_CHARS + 1 - blocks_weight(&blocks) - blocks_weight(&[Block::section("")]);
    blocks.push(Block::section(s(pad)));
    assert_eq!(blocks_weight(&blocks), MAX_BLOCKS_CHARS);
    assert_unchanged(draft(blocks.clone()));

    if let Block::Section { text: Some(t), .. } = blocks.last_mut().unwrap() {
        t.text_mut().push('x');
    }
    assert_eq!(finalize_valid(draft(blocks)).len(), 2);
}

#[test]
fn over_long_texts_are_cut_with_an_ellipsis() {
    let m = finalize_valid(draft(vec![
        Block::header(s(MAX_HEADER_TEXT + 1)),
        Block::section(s(MAX_SECTION_TEXT + 1)),
        Block::fields(None, vec![s(MAX_FIELD_TEXT + 1)]),
        Block::divider().with_block_id(s(MAX_BLOCK_ID + 1)),
    ]));
    let json = m[0].to_json();
    let header = json["blocks"][0]["text"]["text"].as_str().unwrap();
    assert_eq!(header.chars().count(), MAX_HEADER_TEXT);
    assert!(header.ends_with('…'));
    let text = json["blocks"][1]["text"]["text"].as_str().unwrap();
    assert_eq!(
        (text.chars().count(), text.ends_with('…')),
        (MAX_SECTION_TEXT, true)
    );
    let field = json["blocks"][2]["fields"][0]["text"].as_str().unwrap();
    assert_eq!(
        (field.chars().count(), field.ends_with('…')),
        (MAX_FIELD_TEXT, true)
    );
    assert_eq!(
        json["blocks"][3]["block_id"].as_str().unwrap(),
        s(MAX_BLOCK_ID)
    );

    let mut long = draft(vec![Block::section("hi")]);
    long.text = s(MAX_FALLBACK_TEXT + 1);
    assert_eq!(
        finalize_valid(long)[0].text().chars().count(),
        MAX_FALLBACK_TEXT
    );
}

#[test]
fn too_many_fields_elements_or_buttons_become_several_blocks_and_keep_everything() {
    let fields: Vec<String> = (0..23).map(|i| format!("field {i}")).collect();
    let section = Block::fields(Some("title".into()), fields).with_block_id("ops");
    let context = Block::context((0..11).map(|i| format!("note {i}")).collect());
    let buttons = (0..26)
        .map(|i| Button::new(format!("b{i}"), format!("a{i}")))
        .collect();
    let m = finalize_valid(draft(vec![section, context, Block::actions(buttons)]));
    assert_eq!(m.len(), 1);
    let blocks = m[0].to_json()["blocks"].as_array().unwrap().clone();
    let kinds: Vec<(&str, usize)> = blocks
        .iter()
        .map(|b| {
            let items = b
                .get("fields")
                .or(b.get("elements"))
                .map_or(0, |v| v.as_array().unwrap().len());
            (b["type"].as_str().unwrap(), items)
        })
        .collect();
    let expected = [
        ("section", 10),
        ("section", 10),
        ("section", 3),
        ("context", 10),
        ("context", 1),
        ("actions", 25),
        ("actions", 1),
    ];
    assert_eq!(kinds, expected);
    // The text stays on the first piece; ids stay unique.
    assert_eq!(blocks[0]["text"]["text"], "title");
    assert!(blocks[1].get("text").is_none());
    assert_eq!(
        [
            &blocks[0]["block_id"],
            &blocks[1]["block_id"],
            &blocks[2]["block_id"]
        ],
        ["ops", "ops-2", "ops-3"]
    );
    assert_eq!(blocks[2]["fields"][2]["text"], "field 22");
}

#[test]
fn too_many_blocks_become_continued_messages_that_keep_the_header() {
    let mut blocks = vec![Block::header("Cockpit — ven. 20 nov. 2026")];
    blocks.extend((0..120).map(|i| Block::section(format!("ligne {i}"))));
    let messages = finalize_valid(draft(blocks));
    assert_eq!(messages.len(), 3);
    assert_eq!(
        messages
            .iter()
            .map(|m| m.blocks().len())
            .collect::<Vec<_>>(),
        [50, 50, 23]
    );
    let header = |m: &Message| {
        m.to_json()["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(header(&messages[0]), "Cockpit — ven. 20 nov. 2026");
    assert_eq!(header(&messages[1]), "Cockpit — ven. 20 nov. 2026 (suite)");
    assert_eq!(messages[2].text(), "notification (suite)");
    let lines: Vec<&str> = messages
        .iter()
        .flat_map(|m| &m.blocks()[1..])
        .map(section_text)
        .collect();
    assert_eq!(lines.len(), 120);
    assert_eq!((lines[0], lines[119]), ("ligne 0", "ligne 119"));
}

#[test]
fn a_long_message_without_header_is_split_by_size_and_says_continued() {
    let d = Draft {
        lang: Lang::En,
        text: "report".into(),
        blocks: (0..30).map(|_| Block::section(s(2000))).collect(),
    };
    let messages = finalize_valid(d);
    assert!(messages.len() >= 5, "{} messages", messages.len());
    let second = messages[1].to_json();
    assert_eq!(
        second["blocks"][0],
        json!({"type": "context", "elements": [{"type": "mrkdwn", "text": "_(continued)_"}]})
    );
    let sections: usize = messages
        .iter()
        .map(|m| {
            m.blocks()
                .iter()
                .filter(|b| matches!(b, Block::Section { .. }))
                .count()
        })
        .sum();
    assert_eq!(sections, 30);
}

#[test]
fn a_section_full_of_long_fields_is_split_to_fit_the_total_budget() {
    let fields = (0..10).map(|_| "é".repeat(MAX_FIELD_TEXT)).collect();
    let messages = finalize_valid(draft(vec![Block::fields(
        Some(s(MAX_SECTION_TEXT)),
        fields,
    )]));
    let total: usize = messages
        .iter()
        .flat_map(|m| m.blocks())
        .map(|b| match b {
            Block::Section { fields, .. } => fields.len(),
            _ => 0,
        })
        .sum();
    assert_eq!(total, 10);
}

#[test]
fn truncation_never_splits_a_character() {
    for (text, max) in [
        ("é".repeat(3001), 3000),
        ("€".repeat(200), 150),
        ("👩‍👩‍👧".repeat(100), 75),
    ] {
        let cut = truncate(&text, max);
        assert!(cut.chars().count() <= max, "{cut}");
        assert!(cut.ends_with('…'));
        assert!(text.starts_with(cut.trim_end_matches('…')));
        assert!(!cut.contains("\u{200d}…"), "a joiner glued to the ellipsis");
    }
    assert_eq!(truncate("12 345 €", 8), "12 345 €");
    assert_eq!(truncate("Sérum éclat", 6), "Sérum…");
}

#[test]
fn truncation_keeps_entities_and_code_fences_whole() {
    assert_eq!(truncate("Savon &amp; co", 10), "Savon…");
    let code = format!("```\n{}\n```", s(100));
    let cut = truncate(&code, 50);
    assert!(cut.ends_with("…\n```"), "{cut}");
    assert!(cut.chars().count() <= 50);
}

#[test]
fn check_limits_names_every_violation() {
    let m = Message {
        text: s(MAX_FALLBACK_TEXT + 1),
        blocks: vec![
            Block::header(s(151)),
            Block::fields(None, (0..11).map(|i| i.to_string()).collect()),
            Block::Section {
                text: None,
                fields: vec![],
                block_id: None,
            },
        ],
    };
    let err = check_limits(&m).unwrap_err();
    assert!(
        err.contains("fallback text is 4001 characters, max 4000"),
        "{err}"
    );
    assert!(
        err.contains("block 0 header is 151 characters, max 150"),
        "{err}"
    );
    assert!(
        err.contains("block 1 has 11 fields, expected 0 to 10"),
        "{err}"
    );
    assert!(
        err.contains("block 2 (section) has neither text nor fields"),
        "{err}"
    );
}

#[test]
fn blocks_serialise_to_block_kit_json() {
    let image = Block::image(
        ImageSource::SlackFile(SlackFile { id: "F123".into() }),
        "CA vs objectif",
    );
    let url_image = Block::image(ImageSource::ImageUrl("https://x.test/a.png".into()), "a");
    let button = Button {
        style: Some(ButtonStyle::Primary),
        value: Some("7".into()),
        ..Button::new("Voir", "open")
    };
    let m = &finalize_valid(draft(vec![
        Block::divider(),
        image,
        url_image,
        Block::actions(vec![button]),
    ]))[0];
    assert_eq!(
        m.to_json(),
        json!({"text": "notification", "blocks": [
            {"type": "divider"},
            {"type": "image", "slack_file": {"id": "F123"}, "alt_text": "CA vs objectif"},
            {"type": "image", "image_url": "https://x.test/a.png", "alt_text": "a"},
            {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Voir", "emoji": true},
                "action_id": "open", "value": "7", "style": "primary"}]},
        ]})
    );
}

#[test]
fn an_image_whose_url_slack_would_refuse_becomes_its_description() {
    let url = format!("https://x.test/{}", s(MAX_IMAGE_URL));
    let m = &finalize_valid(draft(vec![Block::image(
        ImageSource::ImageUrl(url),
        "CA vs objectif",
    )]))[0];
    assert_eq!(section_text(&m.blocks()[0]), "🖼 CA vs objectif");
}
