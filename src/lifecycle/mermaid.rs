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

/// Text Mermaid shows as it is: no `;`, `#` or line breaks.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            ';' | '#' | '\n' | '\r' => ' ',
            c => c,
        })
        .collect()
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
    use super::*;
    use crate::explain::Rule;

    #[test]
    fn y2_timeline_as_mermaid() {
        let events = [Event {
            step: 1,
            round: 0,
            actor: Actor::Tenant,
            target: Target::Virtual,
            text: "create PVC default/data; now".to_owned(),
            rules: vec![Rule::Y2],
        }];
        let text = to_mermaid(&events);
        assert!(text.starts_with("sequenceDiagram\n"));
        assert!(text.contains("    Note over T,D: step 1\n"));
        assert!(text.contains("    T->>V: create PVC default/data  now [Y2]\n"));
        assert!(!text.contains("Host admin"));
    }
}
