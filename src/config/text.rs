//! Reading vcluster configuration text as vcluster does (SPEC M4): YAML 1.1 scalars, one
//! document, no duplicate keys, and the line of every key for error messages.
//!
//! vcluster reads vcluster.yaml with `sigs.k8s.io/yaml` on top of `go-yaml` v2 (YAML 1.1), so an
//! unquoted `yes`, `no`, `on`, `off`, `y`, `n` (in the capitalisations YAML 1.1 lists) is a
//! boolean, while a quoted one is a string. `serde-saphyr` also infers booleans from unquoted
//! YAML 1.1 spellings, but from any capitalisation (`yEs`); those are plain strings in YAML 1.1,
//! so the text of every inferred boolean is checked against YAML 1.1's list.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{DuplicateKeyPolicy, Location, Spanned};

use super::value::{self, DOCUMENT, shown_key};
use crate::error::Error;

/// The deepest nesting of mappings and lists accepted. A real vcluster.yaml nests about 10 deep
/// (13 with a pod anti-affinity); each level costs stack in the parser, so hostile nesting is
/// cut early.
pub(super) const MAX_DEPTH: usize = 24;
/// The most YAML nodes a configuration may expand to, aliases included.
pub(super) const MAX_NODES: usize = 100_000;
/// The most aliases (`*name`) a configuration may use.
pub(super) const MAX_ALIASES: usize = 1_000;

/// YAML 1.1's boolean spellings (<https://yaml.org/type/bool.html>), as `go-yaml` v2 reads them.
const YAML_1_1_BOOLS: [(&str, bool); 22] = [
    ("y", true),
    ("Y", true),
    ("yes", true),
    ("Yes", true),
    ("YES", true),
    ("true", true),
    ("True", true),
    ("TRUE", true),
    ("on", true),
    ("On", true),
    ("ON", true),
    ("n", false),
    ("N", false),
    ("no", false),
    ("No", false),
    ("NO", false),
    ("false", false),
    ("False", false),
    ("FALSE", false),
    ("off", false),
    ("Off", false),
    ("OFF", false),
];

/// A configuration read from text: the document, and where each key is.
#[derive(Debug, Default)]
pub(super) struct Parsed {
    /// The document (`null` for an empty text).
    pub(super) doc: Value,
    /// The 1-based line of every key (and list item) by its dotted path.
    pub(super) lines: Lines,
}

/// The 1-based line of every key by its dotted path (`sync.toHost`, `a.b[0].c`).
#[derive(Debug, Default)]
pub(super) struct Lines(HashMap<String, usize>);

impl Lines {
    /// The line of `path`, or of its nearest ancestor that was written (a missing key is
    /// reported where it would go).
    pub(super) fn line_of(&self, path: &str) -> Option<usize> {
        let mut current = path;
        loop {
            if let Some(line) = self.0.get(current) {
                return Some(*line);
            }
            let cut = current.rfind(['.', '['])?;
            current = current.get(..cut)?;
        }
    }

    fn insert(&mut self, path: &str, location: &Location) {
        if let Some(line) = line(location) {
            self.0.entry(path.to_owned()).or_insert(line);
        }
    }
}

/// Adds the line of the key at fault to a configuration error that has none.
pub(super) fn with_line(error: Error, lines: &Lines) -> Error {
    match error {
        Error::Config {
            path,
            line: None,
            reason,
        } => Error::Config {
            line: lines.line_of(&path),
            path,
            reason,
        },
        other => other,
    }
}

/// Parses configuration text: one YAML 1.1 document (or none: `null`), keys unique.
pub(super) fn parse(text: &str) -> Result<Parsed, Error> {
    let options = serde_saphyr::options! {
        with_snippet: false,
        // Duplicates are found below, where their path is known.
        duplicate_keys: DuplicateKeyPolicy::PassThrough,
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_nodes: MAX_NODES,
            max_aliases: MAX_ALIASES,
            // Many aliases of one anchor are fine (`<<: *defaults` in every item of a long
            // list); the node budget bounds what they expand to.
            enforce_alias_anchor_ratio: false,
        },
    };
    let documents: Vec<Spanned<Node>> =
        serde_saphyr::from_str_multiple_with_options(text, options).map_err(yaml_error)?;
    let mut documents = documents.into_iter();
    let Some(first) = documents.next() else {
        return Ok(Parsed::default());
    };
    if let Some(second) = documents.next() {
        return Err(Error::Config {
            path: DOCUMENT.to_owned(),
            line: line(&second.referenced),
            reason: "a second YAML document (after `---`): a vcluster configuration is one \
                     document, and vcluster would read only the first"
                .to_owned(),
        });
    }
    let mut lines = Lines::default();
    let doc = convert(text, first, "", &mut lines)?;
    Ok(Parsed { doc, lines })
}

/// The 1-based line of a location, `None` when unknown.
fn line(location: &Location) -> Option<usize> {
    usize::try_from(location.line()).ok().filter(|l| *l > 0)
}

/// The source text of a node, when the parser knows its bytes.
fn source<'t>(text: &'t str, location: &Location) -> Option<&'t str> {
    let span = location.span();
    let start = usize::try_from(span.byte_offset()?).ok()?;
    let len = usize::try_from(span.byte_len()?).ok()?;
    text.get(start..start.checked_add(len)?)
}

/// The dotted path of `key` under `parent` (`""` for the document).
fn child_path(parent: &str, key: &str) -> String {
    let key = shown_key(key);
    if parent.is_empty() {
        key.into_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// Turns a parsed node into a JSON value, recording key lines, refusing duplicate keys and
/// reading booleans as YAML 1.1 does.
fn convert(text: &str, node: Spanned<Node>, path: &str, lines: &mut Lines) -> Result<Value, Error> {
    Ok(match node.value {
        Node::Null => Value::Null,
        Node::Bool(value) => yaml_1_1_bool(value, source(text, &node.defined)),
        Node::Number(n) => Value::Number(n),
        Node::String(s) => Value::String(s),
        Node::Seq(items) => {
            let mut values = Vec::with_capacity(items.len());
            for (index, item) in items.into_iter().enumerate() {
                let at = format!("{path}[{index}]");
                lines.insert(&at, &item.referenced);
                values.push(convert(text, item, &at, lines)?);
            }
            Value::Array(values)
        }
        Node::Map(entries) => {
            let mut map = Map::new();
            let mut seen: HashMap<String, Location> = HashMap::new();
            for (key, value) in entries {
                let name = key_text(text, key.value, &key.defined);
                let at = child_path(path, &name);
                if let Some(first) = seen.get(&name) {
                    let first =
                        line(first).map_or(String::new(), |l| format!(" (first at line {l})"));
                    return Err(Error::Config {
                        line: line(&key.referenced),
                        path: at,
                        reason: format!("duplicate key{first}; vcluster refuses duplicate keys"),
                    });
                }
                lines.insert(&at, &key.referenced);
                let value = convert(text, value, &at, lines)?;
                seen.insert(name.clone(), key.referenced);
                map.insert(name, value);
            }
            Value::Object(map)
        }
    })
}

/// A boolean the parser inferred, as YAML 1.1 reads its text: `yEs` is a string there.
fn yaml_1_1_bool(value: bool, source: Option<&str>) -> Value {
    match source {
        // Quoted text is never inferred; an explicit `!!bool "..."` keeps the parser's answer.
        Some(text) if !text.starts_with(['"', '\'']) => YAML_1_1_BOOLS
            .iter()
            .find(|(spelling, _)| *spelling == text)
            .map_or_else(|| Value::String(text.to_owned()), |(_, b)| Value::Bool(*b)),
        _ => Value::Bool(value),
    }
}

/// A key as written: a plain `on` or `1` stays `on` or `1`.
fn key_text(text: &str, key: Key, location: &Location) -> String {
    match key {
        Key::Text(s) => s,
        Key::Scalar(shown) => source(text, location).map_or(shown, str::to_owned),
    }
}

/// A configuration error for a YAML error, in one line without the parser's hints.
fn yaml_error(error: serde_saphyr::Error) -> Error {
    let line = error.location().as_ref().and_then(line);
    Error::Config {
        path: DOCUMENT.to_owned(),
        line,
        reason: yaml_reason(&error),
    }
}

/// What is wrong, in words that do not depend on the parser's API.
fn yaml_reason(error: &serde_saphyr::Error) -> String {
    use serde_saphyr::Error as E;
    match error {
        // (`with_snippet: false`: no snippet wrapper.)
        E::AliasError { error, .. } => yaml_reason(error),
        // Messages of this module's visitors.
        E::Message { msg, .. } => cut(msg),
        E::ExternalMessage { msg, .. } => format!("invalid YAML: {}", cut(msg)),
        E::UnknownAnchor { .. } => {
            "invalid YAML: an alias (*name) refers to an anchor that is not defined".to_owned()
        }
        E::RecursiveReferencesRequireWeakTypes { .. } => {
            "invalid YAML: an alias inside its own anchor (a recursive structure)".to_owned()
        }
        E::InvalidScalar { .. } => {
            "invalid YAML: a value that does not match its tag (!!int, !!bool, ...)".to_owned()
        }
        E::NonFiniteFloat { .. } => {
            "a number that is not finite (.inf or .nan): vcluster cannot read it".to_owned()
        }
        E::Budget { breach, .. } => match breach {
            BudgetBreach::Depth { .. } => {
                format!("mappings and lists nested more than {MAX_DEPTH} deep")
            }
            BudgetBreach::Nodes { .. } => format!(
                "too large: more than {MAX_NODES} YAML nodes, aliases counted where they are used"
            ),
            BudgetBreach::Aliases { .. }
            | BudgetBreach::Anchors { .. }
            | BudgetBreach::AliasAnchorRatio { .. }
            | BudgetBreach::RecordedAnchorEvents { .. }
            | BudgetBreach::RecordedAnchorBytes { .. } => {
                "too large: more anchors and aliases than a configuration needs".to_owned()
            }
            _ => "too large for a configuration".to_owned(),
        },
        E::MergeValueNotMapOrSeqOfMaps { .. } => {
            "invalid YAML: a merge key (<<) needs a mapping or a list of mappings".to_owned()
        }
        E::InvalidBinaryBase64 { .. } | E::BinaryNotUtf8 { .. } => {
            "invalid YAML: a !!binary value that is not base64 text".to_owned()
        }
        // Anything else (the budget above stops alias replay before its own limits).
        _ => "invalid YAML".to_owned(),
    }
}

/// At most 80 bytes of a message, cut at a character boundary (then ending in `...`).
fn cut(message: &str) -> String {
    let head = value::cut(message, 80);
    if head.len() < message.len() {
        format!("{head}...")
    } else {
        message.to_owned()
    }
}

/// One step into a YAML document: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// The value under this key.
    Key(String),
    /// The item at this index.
    Index(usize),
}

/// Every plain number in the YAML documents of `text` that a JSON number would not keep as
/// written (an integer beyond 64 bits, a decimal that `f64` rounds): its document, its path and
/// its exact text. Readers put the text back, so that `99999999999999999999999` as a quantity
/// stays that quantity instead of becoming `1e23`. Empty when the text does not parse (the
/// caller reports that error itself).
pub(crate) fn inexact_numbers(text: &str) -> Vec<(usize, Vec<Step>, String)> {
    let options = serde_saphyr::options! {
        with_snippet: false,
        duplicate_keys: DuplicateKeyPolicy::PassThrough,
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_nodes: MAX_NODES,
            max_aliases: MAX_ALIASES,
            enforce_alias_anchor_ratio: false,
        },
    };
    let parsed: Result<Vec<Spanned<Node>>, _> =
        serde_saphyr::from_str_multiple_with_options(text, options);
    let Ok(documents) = parsed else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (index, document) in documents.iter().enumerate() {
        let mut path = Vec::new();
        collect_inexact(text, document, &mut path, &mut |steps, exact| {
            found.push((index, steps.to_vec(), exact.to_owned()));
        });
    }
    found
}

fn collect_inexact(
    text: &str,
    node: &Spanned<Node>,
    path: &mut Vec<Step>,
    found: &mut impl FnMut(&[Step], &str),
) {
    match &node.value {
        Node::Number(number) => {
            if let Some(written) = source(text, &node.defined)
                && !keeps_value(number, written)
            {
                found(path, written);
            }
        }
        Node::Seq(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(Step::Index(index));
                collect_inexact(text, item, path, found);
                path.pop();
            }
        }
        Node::Map(entries) => {
            for (key, value) in entries {
                let name = match &key.value {
                    Key::Text(s) => s.clone(),
                    Key::Scalar(shown) => {
                        source(text, &key.defined).map_or(shown.clone(), str::to_owned)
                    }
                };
                path.push(Step::Key(name));
                collect_inexact(text, value, path, found);
                path.pop();
            }
        }
        Node::Null | Node::Bool(_) | Node::String(_) => {}
    }
}

/// Whether the JSON number has the value of the decimal text it was read from. Text that is
/// not a plain decimal (hexadecimal, `.inf`) is left to the parser.
pub(crate) fn keeps_value(number: &Number, written: &str) -> bool {
    if number.is_i64() || number.is_u64() {
        return true;
    }
    let Some(value) = number.as_f64() else {
        return true;
    };
    match (decimal(written), decimal(&value.to_string())) {
        (Some(as_written), Some(as_read)) => as_written == as_read,
        _ => true,
    }
}

/// A decimal's sign, significant digits and exponent (`-1.50e3` -> `(true, "15", 2)`); `None`
/// for text that is not a plain decimal.
fn decimal(text: &str) -> Option<(bool, String, i64)> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().ok()?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let digits = format!("{whole}{fraction}");
    let leading = digits
        .len()
        .saturating_sub(digits.trim_start_matches('0').len());
    let significant = digits.trim_matches('0');
    if significant.is_empty() {
        return Some((false, String::new(), 0));
    }
    // The value is 0.<significant> x 10^point.
    let point = i64::try_from(whole.len())
        .ok()?
        .checked_sub(i64::try_from(leading).ok()?)?
        .checked_add(exponent)?;
    Some((negative, significant.to_owned(), point))
}

/// A YAML node as the parser infers it (`deserialize_any`), children with their locations.
enum Node {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<Key>, Spanned<Node>)>),
}

/// A mapping key: text, or a scalar the parser inferred (shown as written when possible).
enum Key {
    Text(String),
    Scalar(String),
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
        Ok(i64::try_from(v)
            .map_or_else(|_| Node::String(v.to_string()), |n| Node::Number(n.into())))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        Ok(u64::try_from(v)
            .map_or_else(|_| Node::String(v.to_string()), |n| Node::Number(n.into())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Number::from_f64(v).map_or_else(|| Node::String(v.to_string()), Node::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Node, E> {
        Ok(Node::String(String::from_utf8_lossy(v).into_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key()? {
            entries.push((key, map.next_value()?));
        }
        Ok(Node::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct KeyVisitor;

impl KeyVisitor {
    fn not_scalar<E: de::Error>() -> E {
        E::custom("a mapping key that is a list or a mapping; vcluster needs text keys")
    }
}

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping key")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Key, E> {
        Err(E::custom(
            "an empty (null) mapping key; vcluster needs text keys",
        ))
    }

    fn visit_none<E: de::Error>(self) -> Result<Key, E> {
        self.visit_unit()
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Key, E> {
        Ok(Key::Scalar(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Key, E> {
        Ok(Key::Scalar(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key, E> {
        Ok(Key::Scalar(v.to_string()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Key, E> {
        Ok(Key::Scalar(v.to_string()))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Key, E> {
        Ok(Key::Scalar(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Key, E> {
        Ok(Key::Scalar(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(Key::Text(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Key, E> {
        Ok(Key::Text(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Key, E> {
        Ok(Key::Text(String::from_utf8_lossy(v).into_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<Key, A::Error> {
        Err(Self::not_scalar())
    }

    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<Key, A::Error> {
        Err(Self::not_scalar())
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn numbers_json_would_round_are_found_with_their_exact_text() {
        let text = "a: 99999999999999999999999\nb: [1.50, 0.1, 12345678901234567890, -7]\n\
                    c: {d: 1.0000000000000000001, e: \"99999999999999999999999\"}\n---\n\
                    - 123456789012345678901234567890e-3\n";
        let found = inexact_numbers(text);
        let key = |k: &str| Step::Key(k.to_owned());
        assert_eq!(
            found,
            [
                (0, vec![key("a")], "99999999999999999999999".to_owned()),
                (
                    0,
                    vec![key("c"), key("d")],
                    "1.0000000000000000001".to_owned()
                ),
                (
                    1,
                    vec![Step::Index(0)],
                    "123456789012345678901234567890e-3".to_owned()
                ),
            ]
        );
        assert!(inexact_numbers("a: [").is_empty());
    }

    #[test]
    fn decimals_compare_by_value_not_spelling() {
        assert_eq!(decimal("1.50"), decimal("15e-1"));
        assert_eq!(decimal("-0.0012"), Some((true, "12".to_owned(), -2)));
        assert_eq!(decimal("000"), decimal("0.0"));
        assert_eq!(decimal("0x1F"), None);
        assert_eq!(decimal(".inf"), None);
        assert_ne!(
            decimal("100000000000000000000000"),
            decimal("99999999999999999999999")
        );
    }

    #[test]
    fn m4_an_unknown_location_has_no_line() {
        assert_eq!(line(&Location::UNKNOWN), None);
        assert_eq!(source("text", &Location::UNKNOWN), None);
    }

    #[test]
    fn m4_an_explicitly_tagged_quoted_boolean_stays_a_boolean() {
        // `!!bool "true"`: the parser's boolean, although the text is quoted.
        assert_eq!(yaml_1_1_bool(true, Some("\"true\"")), Value::Bool(true));
        assert_eq!(yaml_1_1_bool(false, Some("'no'")), Value::Bool(false));
        assert_eq!(yaml_1_1_bool(true, None), Value::Bool(true));
        assert_eq!(
            yaml_1_1_bool(true, Some("yEs")),
            Value::String("yEs".to_owned())
        );
        assert_eq!(yaml_1_1_bool(true, Some("off")), Value::Bool(false));
    }

    #[test]
    fn m4_lines_fall_back_to_the_nearest_written_ancestor() {
        let parsed = parse("sync:\n  toHost:\n    pods: {}\n").unwrap();
        assert_eq!(parsed.lines.line_of("sync"), Some(1));
        assert_eq!(parsed.lines.line_of("sync.toHost.pods"), Some(3));
        assert_eq!(parsed.lines.line_of("sync.toHost.pods.enabled"), Some(3));
        assert_eq!(parsed.lines.line_of("sync.fromHost.nodes"), Some(1));
        assert_eq!(parsed.lines.line_of("controlPlane"), None);
        assert_eq!(parsed.lines.line_of(""), None);
    }

    #[test]
    fn m4_message_cut_at_80_bytes_on_a_character_boundary() {
        assert_eq!(cut("short"), "short");
        let exact = "a".repeat(80);
        assert_eq!(cut(&exact), exact);
        let long = "é".repeat(60);
        let shown = cut(&long);
        assert!(shown.ends_with("..."));
        assert!(shown.len() <= 83, "{}", shown.len());
        assert_eq!(shown.trim_end_matches("...").chars().count(), 40);
    }
}
