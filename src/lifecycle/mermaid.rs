//! A timeline as a Mermaid sequence diagram, for people who would rather look than read: it
//! renders on GitHub inside a ```` ```mermaid ```` block.

use std::fmt::Write as _;

use super::log::{Actor, Event, Target};

/// Mermaid's participant id and label for each party.
const PARTIES: [(&str, &str); 6] = [
    ("T", "Tenant"),
    ("V", "Virtual cluster"),
    ("S", "vcluster syncer"),
    ("H", "Host cluster"),
    ("A", "Host admin"),
    ("D", "Disk"),
];

/// Who sends and who receives an event's message.
fn ends(event: &Event) -> (&'static str, &'static str) {
    let to = match event.target {
        Target::Virtual => "V",
        Target::Host => "H",
        Target::Disk => "D",
    };
    let from = match event.actor {
        Actor::Tenant => "T",
        Actor::HostAdmin => "A",
        Actor::Syncer => "S",
        Actor::HostKubernetes => "H",
        Actor::VirtualKubernetes => "V",
    };
    (from, to)
}

/// Whether a character is invisible or reorders text when shown: Unicode's format characters
/// that matter here (bidi controls and isolates, zero-width characters, the byte-order mark,
/// the soft hyphen) and the line and paragraph separators.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// A message as Mermaid shows it and as nothing more: names in it are data. Mermaid ends a
/// message at a line break, `;` or `#`, reads `%%` as a comment or directive, entity codes
/// after `#`, and HTML such as `<br>`; so `#`, `;`, `%`, `<`, `>`, `"`, `&`, `{`, `}`, `\` and
/// `` ` `` are written as Mermaid entity codes (`#59;` shows `;`), and control, bidi and other
/// invisible characters as their code point (`U+202E`), visible.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' | ';' | '%' | '<' | '>' | '"' | '&' | '{' | '}' | '\\' | '`' => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            c if c.is_control() || invisible(c) => {
                let _ = write!(out, "U+{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// The timeline as a Mermaid sequence diagram: one message per action, with its rule ids, and a
/// note for every step. The host admin appears only when a step acts on the host.
pub fn to_mermaid(events: &[Event]) -> String {
    let mut out = String::from("sequenceDiagram\n");
    let admin = events.iter().any(|e| e.actor == Actor::HostAdmin);
    for (id, label) in PARTIES {
        if id == "A" && !admin {
            continue;
        }
        let _ = writeln!(out, "    participant {id} as {label}");
    }
    let mut step = usize::MAX;
    for event in events {
        if event.step != step {
            step = event.step;
            let title = if step == 0 {
                "the starting world settles".to_owned()
            } else {
                format!("step {step}")
            };
            let _ = writeln!(out, "    Note over T,D: {title}");
        }
        let (from, to) = ends(event);
        let rules: Vec<&str> = event.rules.iter().map(|r| r.id()).collect();
        let rules = if rules.is_empty() {
            String::new()
        } else {
            format!(" [{}]", rules.join(", "))
        };
        let _ = writeln!(out, "    {from}->>{to}: {}{rules}", clean(&event.text));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::panic
    )]
    use std::sync::atomic::{AtomicUsize, Ordering};

    use proptest::prelude::*;

    use super::*;
    use crate::explain::Rule;

    fn event(step: usize, actor: Actor, text: &str) -> Event {
        Event {
            step,
            round: 0,
            actor,
            target: Target::Virtual,
            text: text.to_owned(),
            rules: vec![Rule::Y2],
        }
    }

    #[test]
    fn y2_timeline_as_mermaid() {
        let events = [event(1, Actor::Tenant, "create PVC default/data; now")];
        let text = to_mermaid(&events);
        assert!(text.starts_with("sequenceDiagram\n"));
        assert!(text.contains("    Note over T,D: step 1\n"));
        assert!(text.contains("    T->>V: create PVC default/data#59; now [Y2]\n"));
        assert!(!text.contains("Host admin"));
    }

    /// What a diagram of `events` (one step, tenant actions) must be: the header, the
    /// participants, one note and one message per event, each message line as the diagram
    /// writes it and nothing after its text but the rule ids.
    fn assert_contained(events: &[Event]) {
        let diagram = to_mermaid(events);
        let lines: Vec<&str> = diagram.lines().collect();
        let participants = PARTIES.len() - 1;
        assert_eq!(
            lines.len(),
            1 + participants + 1 + events.len(),
            "a name added a line:\n{diagram}"
        );
        assert_eq!(lines[0], "sequenceDiagram");
        for line in &lines[1..=participants] {
            assert!(line.starts_with("    participant "), "{line}");
        }
        assert_eq!(lines[participants + 1], "    Note over T,D: step 1");
        for (line, event) in lines[participants + 2..].iter().zip(events) {
            let text = line
                .strip_prefix("    T->>V: ")
                .and_then(|l| l.strip_suffix(" [Y2]"))
                .unwrap_or_else(|| panic!("not a message line: {line:?}"));
            // Nothing Mermaid reads as syntax inside the message.
            for forbidden in ['#', ';', '%', '<', '>', '"', '\n', '\r'] {
                let unescaped = text
                    .replace("#35;", "")
                    .replace("#59;", "")
                    .replace("#37;", "")
                    .replace("#60;", "")
                    .replace("#62;", "")
                    .replace("#34;", "")
                    .replace("#38;", "")
                    .replace("#123;", "")
                    .replace("#125;", "")
                    .replace("#92;", "")
                    .replace("#96;", "");
                assert!(!unescaped.contains(forbidden), "{forbidden:?} in {line:?}");
            }
            assert!(
                !text.chars().any(|c| c.is_control() || invisible(c)),
                "{line:?}"
            );
            assert_eq!(text, clean(&event.text));
        }
        assert!(!diagram.contains("%%"));
    }

    #[test]
    fn y2_tenant_strings_add_no_line_participant_note_or_directive() {
        let hostile = [
            "data\nparticipant X as Evil",
            "data\r\nNote over T,D: forged",
            "a;participant Y",
            "%%{init: {'theme': 'dark'}}%%",
            "x %% comment",
            "#quot; #59; entity",
            "<br>second line<script>alert(1)</script>",
            "\"quoted\" 'single'",
            "T-->>V: forged message",
            "S->>H: end",
            "bidi \u{202E}olleh\u{202C} \u{2066}iso\u{2069}",
            "zero\u{200B}width\u{FEFF}bom\u{00AD}",
            "line\u{2028}separator\u{2029}paragraph\u{0085}nel",
            "tab\tand\u{7}bell",
            "{curly} `tick` back\\slash & amp",
        ];
        let events: Vec<Event> = hostile.iter().map(|t| event(1, Actor::Tenant, t)).collect();
        assert_contained(&events);
        // The entity codes show the characters as they were.
        let diagram = to_mermaid(&events[..1]);
        assert!(
            diagram.contains("T->>V: dataU+000Aparticipant X as Evil [Y2]"),
            "{diagram}"
        );
        assert!(to_mermaid(&events[6..7]).contains("#60;br#62;second line"));
        assert!(to_mermaid(&events[10..11]).contains("bidi U+202Eolleh"));
    }

    static REACHED: AtomicUsize = AtomicUsize::new(0);

    proptest! {
        #[test]
        fn y2_no_string_escapes_its_message(texts in prop::collection::vec(any::<String>(), 1..4)) {
            let events: Vec<Event> = texts.iter().map(|t| event(1, Actor::Tenant, t)).collect();
            assert_contained(&events);
            REACHED.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn y2_z_the_escaping_property_ran() {
        y2_no_string_escapes_its_message();
        assert!(REACHED.load(Ordering::Relaxed) >= 200);
    }
}
