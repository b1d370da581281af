//! Cluster dumps: the objects of one cluster as `kubectl get pv,pvc,storageclass -A -o yaml`
//! prints them (a `List` with `items`), as several YAML documents, or both mixed; or as
//! `-o json` prints them (a `List` object, or several JSON objects one after the other). Kinds
//! other than PersistentVolume, PersistentVolumeClaim and StorageClass are skipped.
//!
//! Dumps are read as they are parsed, one object at a time, so that a dump of a large cluster
//! costs about the memory of its objects. Reading stays within [`Limits`] that scale with what a
//! cluster can hold (docs/formats.md, "Limits"); a dump over a limit still gives the objects
//! read before it, with a [`Skipped`] record of where reading stopped and why.
//!
//! ```
//! use pv_translate::dump::read_objects;
//! let objects = read_objects("
//! apiVersion: v1
//! kind: List
//! items:
//! - {apiVersion: v1, kind: PersistentVolume, metadata: {name: pv-1}}
//! - {apiVersion: v1, kind: ConfigMap, metadata: {name: skipped}}
//! ---
//! apiVersion: storage.k8s.io/v1
//! kind: StorageClass
//! metadata: {name: gp3}
//! provisioner: ebs.csi.aws.com
//! ")?;
//! assert!(objects.pv("pv-1").is_some());
//! assert!(objects.storage_class("gp3").is_some());
//! # Ok::<(), pv_translate::Error>(())
//! ```

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};
use serde_json::{Map, Number, Value};

use crate::audit::{Finding, FindingKind};
use crate::config::Step;
use crate::error::{Error, ObjectRef};
use crate::snapshot::Objects;

/// The most bytes a dump may hold: 8 GiB. etcd refuses writes past its backend quota, 2 GiB by
/// default and 8 GiB at most as etcd recommends it, so no cluster holds more objects than that;
/// the PVs, PVCs and classes of a cluster are a small part of it.
pub const MAX_DUMP_BYTES: u64 = 8 * 1024 * 1024 * 1024;

/// The deepest nesting of mappings and lists a dump may have, counting the document itself.
/// The three kinds nest about a dozen deep at most in a `List` (a PV's `managedFields` or node
/// affinity);
/// Kubernetes' own schemas bound it whatever a tenant writes.
pub const MAX_DEPTH: usize = 64;

/// The deepest nesting any [`Limits`] allow, whatever a caller sets: reading recurses once per
/// level, and the YAML parser itself stops at 255.
pub const MAX_DEPTH_CAP: usize = 200;

/// The most YAML aliases (`*name`) a dump may use. kubectl never writes one.
pub const MAX_ALIASES: usize = 10_000;

/// The most YAML nodes that aliases may expand to, in all: a billion-laughs alias bomb stops
/// here instead of filling memory. There is no other budget: the reader keeps only the objects
/// it reads, so without aliases what it builds is bounded by the text.
pub const MAX_ALIAS_EXPANSION: usize = 100_000;

/// The bounds a dump is read within; [`Limits::default`] gives those of docs/formats.md.
///
/// ```
/// use pv_translate::dump::{Limits, MAX_DUMP_BYTES};
/// let limits = Limits::default().with_max_bytes(1024);
/// assert_eq!(limits.max_bytes, 1024);
/// assert_eq!(Limits::default().max_bytes, MAX_DUMP_BYTES);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The most bytes read ([`MAX_DUMP_BYTES`]).
    pub max_bytes: u64,
    /// The deepest nesting ([`MAX_DEPTH`]; at most [`MAX_DEPTH_CAP`] whatever is set).
    pub max_depth: usize,
    /// The most YAML aliases ([`MAX_ALIASES`]).
    pub max_aliases: usize,
    /// The most nodes aliases may expand to ([`MAX_ALIAS_EXPANSION`]).
    pub max_alias_expansion: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: MAX_DUMP_BYTES,
            max_depth: MAX_DEPTH,
            max_aliases: MAX_ALIASES,
            max_alias_expansion: MAX_ALIAS_EXPANSION,
        }
    }
}

impl Limits {
    /// With another byte limit.
    #[must_use]
    pub const fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// With another nesting limit.
    #[must_use]
    pub const fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// With other alias limits: how many aliases, and how many nodes they may expand to.
    #[must_use]
    pub const fn with_max_aliases(mut self, max_aliases: usize, max_expansion: usize) -> Self {
        self.max_aliases = max_aliases;
        self.max_alias_expansion = max_expansion;
        self
    }
}

/// The two notations of a dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// `-o yaml`, or YAML written by hand.
    Yaml,
    /// `-o json`: one JSON value, or several one after the other.
    Json,
}

impl Format {
    /// The notation of a dump, from its content: JSON when its first character (after blanks and
    /// a byte-order mark) is `{` followed, after blanks, by `"` or `}`, as kubectl writes JSON;
    /// YAML otherwise (a YAML flow mapping with a plain key, `{kind: List}`, stays YAML).
    ///
    /// ```
    /// use pv_translate::dump::Format;
    /// assert_eq!(Format::detect(b"{\n    \"apiVersion\": \"v1\""), Format::Json);
    /// assert_eq!(Format::detect(b"apiVersion: v1\nitems: []"), Format::Yaml);
    /// assert_eq!(Format::detect(b"{kind: List}"), Format::Yaml);
    /// ```
    pub fn detect(bytes: &[u8]) -> Self {
        let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
        let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        let mut rest = text.iter().skip_while(|b| blank(b));
        if rest.next() != Some(&b'{') {
            return Self::Yaml;
        }
        match rest.find(|b| !blank(b)) {
            Some(b'"' | b'}') => Self::Json,
            _ => Self::Yaml,
        }
    }

    /// `yaml` or `json`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Yaml => "yaml",
            Self::Json => "json",
        }
    }
}

/// Which limit stopped reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// The dump is larger than [`Limits::max_bytes`]: only that many bytes were read.
    Bytes(u64),
    /// Mappings and lists nested deeper than [`Limits::max_depth`].
    Depth(usize),
    /// More YAML aliases than [`Limits::max_aliases`], or more anchors than that.
    Aliases(usize),
    /// YAML aliases expanding to more nodes than [`Limits::max_alias_expansion`].
    AliasExpansion(usize),
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bytes(max) => write!(f, "the dump is larger than {max} bytes"),
            Self::Depth(max) => write!(f, "mappings and lists nested more than {max} deep"),
            Self::Aliases(max) => write!(f, "more than {max} YAML aliases or anchors"),
            Self::AliasExpansion(max) => {
                write!(f, "YAML aliases expand to more than {max} nodes")
            }
        }
    }
}

/// Where reading a dump stopped, and why: nothing from there on was read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Skipped {
    /// The document being read (1-based; empty documents are not counted).
    pub document: usize,
    /// The object of that document's `items` being read (1-based), when inside a list.
    pub object: Option<usize>,
    /// The line (1-based) where reading stopped, when known.
    pub line: Option<u64>,
    /// The limit.
    pub limit: Limit,
}

impl fmt::Display for Skipped {
    /// `not read from line 12 (document 1, object 3) on: <limit>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not read")?;
        if let Some(line) = self.line {
            write!(f, " from line {line}")?;
        }
        write!(f, " (document {}", self.document)?;
        if let Some(object) = self.object {
            write!(f, ", object {object}")?;
        }
        write!(f, ") on: {}", self.limit)
    }
}

impl Skipped {
    /// The audit finding that says a dump was not read to its end ([`FindingKind::AuditIncomplete`],
    /// severity high): `dump` names it for the operator, e.g. `host dump host.yaml`.
    ///
    /// ```
    /// use pv_translate::dump::{Limits, read_dump_with};
    /// let dump = read_dump_with(b"kind: List\nitems: [[[[{}]]]]\n", &Limits::default().with_max_depth(3))?;
    /// let finding = dump.skipped.expect("over the limit").finding("host dump host.yaml");
    /// assert_eq!(finding.kind.as_str(), "AuditIncomplete");
    /// assert!(finding.message.starts_with("host dump host.yaml: not read from line 2"));
    /// # Ok::<(), pv_translate::Error>(())
    /// ```
    pub fn finding(&self, dump: &str) -> Finding {
        Finding {
            kind: FindingKind::AuditIncomplete,
            severity: FindingKind::AuditIncomplete.severity(),
            virtual_pv: None,
            virtual_pvc: None,
            host_pv: None,
            message: format!(
                "{dump}: {self}; the audit covers only the objects before it, and findings about \
                 the others are missing"
            ),
            host_storage_bytes: None,
        }
    }
}

/// A dump as read: its objects and, when a limit stopped reading, where.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Dump {
    /// The notation it was read in.
    pub format: Format,
    /// Its PersistentVolumes, PersistentVolumeClaims and StorageClasses (all of them, or those
    /// before [`Dump::skipped`]).
    pub objects: Objects,
    /// Where a limit stopped reading; `None` when the dump was read to its end.
    pub skipped: Option<Skipped>,
}

impl Dump {
    /// Whether the dump was read to its end.
    pub const fn is_complete(&self) -> bool {
        self.skipped.is_none()
    }
}

/// Reads one cluster's PVs, PVCs and StorageClasses from a YAML or JSON dump
/// ([`Format::detect`]), within the default [`Limits`].
///
/// `metadata.managedFields` is dropped while reading: no rule reads it, and it is most of a
/// real dump's size.
///
/// # Errors
///
/// Text that is not UTF-8, not YAML or not JSON; an object of one of the three kinds that does
/// not parse (the message names the document, the line when known, the object and the field);
/// two objects of one kind with the same name (and namespace). A dump over a limit is not an
/// error: see [`Dump::skipped`].
pub fn read_dump(bytes: &[u8]) -> Result<Dump, Error> {
    read_dump_with(bytes, &Limits::default())
}

/// [`read_dump`] within other [`Limits`].
///
/// # Errors
///
/// As [`read_dump`].
pub fn read_dump_with(bytes: &[u8], limits: &Limits) -> Result<Dump, Error> {
    let format = Format::detect(bytes);
    let max = usize::try_from(limits.max_bytes).unwrap_or(usize::MAX);
    let (bytes, truncated) = match bytes.get(..max) {
        Some(head) if head.len() < bytes.len() => (cut_at_line(head), true),
        _ => (bytes, false),
    };
    let text = std::str::from_utf8(bytes)
        .map_err(|e| dump_error(format!("not UTF-8 text (byte {} is not)", e.valid_up_to())))?;
    let mut state = State::new(limits);
    let outcome = match format {
        Format::Yaml => read_yaml_events(text, &mut state),
        Format::Json => read_json(text, &mut state),
    };
    let skipped = match outcome {
        Ok(()) if truncated => Some(state.truncate(limits.max_bytes, bytes)),
        Ok(()) => None,
        Err(Stop::Limit(skipped)) => Some(skipped),
        // The text was cut: what does not parse at the end is the cut. The object being read
        // was not added.
        Err(Stop::Invalid(_, line)) if truncated => {
            Some(state.skipped(line, Limit::Bytes(limits.max_bytes)))
        }
        Err(Stop::Invalid(message, _)) => {
            return Err(state.error.take().unwrap_or_else(|| dump_error(message)));
        }
    };
    Ok(Dump {
        format,
        objects: state.objects,
        skipped,
    })
}

/// Reads one cluster's PVs, PVCs and StorageClasses from YAML or JSON text; a dump over a
/// [`Limits`] bound is an error here (use [`read_dump`] for what could be read).
///
/// # Errors
///
/// As [`read_dump`], and a dump that was not read to its end.
pub fn read_objects(text: &str) -> Result<Objects, Error> {
    let dump = read_dump(text.as_bytes())?;
    match dump.skipped {
        None => Ok(dump.objects),
        Some(skipped) => Err(dump_error(skipped.to_string())),
    }
}

/// The bytes up to the end of their last complete line (or, without a line break, up to the
/// last complete character).
fn cut_at_line(bytes: &[u8]) -> &[u8] {
    if let Some(end) = bytes.iter().rposition(|b| *b == b'\n') {
        return bytes.get(..=end).unwrap_or(bytes);
    }
    let valid = match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) => e.valid_up_to(),
    };
    bytes.get(..valid).unwrap_or_default()
}

/// A dump that cannot be read: the message names the document and the object.
fn dump_error(reason: impl Into<String>) -> Error {
    Error::Case {
        reason: reason.into(),
    }
}

/// Why reading stopped before the end.
enum Stop {
    /// A limit: what was read stays.
    Limit(Skipped),
    /// Not YAML, or not JSON (or an object's error, kept in the state): the message and line.
    Invalid(String, Option<u64>),
}

/// What the reader knows while it reads.
struct State {
    limits: Limits,
    objects: Objects,
    /// Documents begun.
    document: usize,
    /// The item of the current document's `items` being read.
    object: Option<usize>,
    /// An error of an object (it does not parse, or it is a duplicate); the parser's error that
    /// stopped it only says where.
    error: Option<Error>,
    /// Nesting too deep in JSON (YAML's parser counts its own).
    too_deep: bool,
    /// The last object read, dropped when the text was cut.
    last: Option<LastObject>,
}

/// The last object read: its kind, namespace and name, its line and its place in `items`.
struct LastObject {
    kind: Kind,
    namespace: String,
    name: String,
    line: Option<u64>,
    object: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pvc,
    Pv,
    Class,
}

impl State {
    fn new(limits: &Limits) -> Self {
        let mut limits = limits.clone();
        limits.max_depth = limits.max_depth.min(MAX_DEPTH_CAP);
        Self {
            limits,
            objects: Objects::default(),
            document: 0,
            object: None,
            error: None,
            too_deep: false,
            last: None,
        }
    }

    /// The record for a limit reached at `line`.
    fn skipped(&self, line: Option<u64>, limit: Limit) -> Skipped {
        Skipped {
            document: self.document.max(1),
            object: self.object,
            line,
            limit,
        }
    }

    /// The text was cut at `max_bytes`: the last object read may be cut too, so it is dropped,
    /// and reading is said to stop where it starts (else at the end of what was read).
    fn truncate(&mut self, max_bytes: u64, read: &[u8]) -> Skipped {
        let limit = Limit::Bytes(max_bytes);
        match self.last.take() {
            Some(LastObject {
                kind,
                namespace,
                name,
                line,
                object,
            }) => {
                match kind {
                    Kind::Pvc => drop(self.objects.remove_pvc(&namespace, &name)),
                    Kind::Pv => drop(self.objects.remove_pv(&name)),
                    Kind::Class => drop(self.objects.remove_storage_class(&name)),
                }
                Skipped {
                    document: self.document.max(1),
                    object,
                    line,
                    limit,
                }
            }
            None => {
                let lines = read.iter().filter(|b| **b == b'\n').count();
                let line = u64::try_from(lines).ok().map(|l| l.saturating_add(1));
                self.skipped(line, limit)
            }
        }
    }

    /// Types one object and adds it; `false` (with the error kept) when it does not parse or
    /// is a duplicate. Other kinds are skipped.
    fn add(&mut self, item: Value, item_index: Option<usize>, line: Option<u64>) -> bool {
        let document = self.document;
        let place = || {
            let mut place = format!("document {document}");
            if let Some(index) = item_index {
                place.push_str(&format!(", object {}", index.saturating_add(1)));
            }
            if let Some(line) = line {
                place.push_str(&format!(" (line {line})"));
            }
            place
        };
        let added = match item.get("kind").and_then(Value::as_str) {
            Some("PersistentVolumeClaim") => {
                typed::<PersistentVolumeClaim>(item, &place).and_then(|pvc| {
                    let (namespace, name) = (
                        pvc.metadata.namespace.clone().unwrap_or_default(),
                        pvc.metadata.name.clone().unwrap_or_default(),
                    );
                    let object = ObjectRef::new("PersistentVolumeClaim", &pvc.metadata);
                    let inserted = self.objects.insert_pvc(pvc);
                    checked(inserted, object, &place).map(|()| Some((Kind::Pvc, namespace, name)))
                })
            }
            Some("PersistentVolume") => typed::<PersistentVolume>(item, &place).and_then(|pv| {
                let name = pv.metadata.name.clone().unwrap_or_default();
                let object = ObjectRef::new("PersistentVolume", &pv.metadata);
                let inserted = self.objects.insert_pv(pv);
                checked(inserted, object, &place).map(|()| Some((Kind::Pv, String::new(), name)))
            }),
            Some("StorageClass") => typed::<StorageClass>(item, &place).and_then(|class| {
                let name = class.metadata.name.clone().unwrap_or_default();
                let object = ObjectRef::new("StorageClass", &class.metadata);
                let inserted = self.objects.insert_storage_class(class);
                checked(inserted, object, &place).map(|()| Some((Kind::Class, String::new(), name)))
            }),
            _ => Ok(None),
        };
        match added {
            Ok(Some((kind, namespace, name))) => {
                let object = item_index.map(|i| i.saturating_add(1));
                self.last = Some(LastObject {
                    kind,
                    namespace,
                    name,
                    line,
                    object,
                });
                true
            }
            Ok(None) => true,
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }
}

/// An insertion's outcome as the dump's error: an object without a name, or a second object
/// of one kind with the same name.
fn checked<T>(
    inserted: Result<Option<T>, Error>,
    object: ObjectRef,
    place: &dyn Fn() -> String,
) -> Result<(), Error> {
    match inserted {
        Ok(None) => Ok(()),
        Ok(Some(_)) => Err(duplicate(&place(), object)),
        Err(e) => Err(dump_error(format!("{}: {e}", place()))),
    }
}

fn duplicate(place: &str, object: ObjectRef) -> Error {
    dump_error(format!(
        "{place}: {}",
        Error::inconsistent(
            object,
            "metadata.name",
            "another object of the same kind has this name"
        )
    ))
}

/// The message an object's error stops the parser with; the error itself is in the state.
const OBJECT_ERROR: &str = "pv-translate: an object of the dump does not parse";

// ---------------------------------------------------------------------------------------------
// YAML, from the parser's events

use serde_saphyr::granit_parser::{Event, ScalarStyle, Span, StrInput, Tag};

/// Reads YAML documents into the state from the YAML parser's events (granit-parser, the
/// parser under serde-saphyr), without serde-saphyr's layer, which costs as much again: each
/// object is built as a JSON value (keys unique, `managedFields` skipped without being built)
/// and added as soon as it ends. Plain scalars resolve as serde-saphyr resolves them for the
/// rest of the crate (YAML 1.2, only `true` and `false` are booleans); a number that `f64`
/// would not hold as written stays its text, as in case files. Anchors and aliases are bounded
/// by [`Limits`]; merge keys (`<<`), which kubectl never writes, are refused.
struct EventReader<'t, 's> {
    parser: serde_saphyr::granit_parser::Parser<'t, StrInput<'t>>,
    state: &'s mut State,
    /// Anchored nodes of the current document, with their node counts.
    anchors: HashMap<usize, (Value, usize)>,
    anchors_seen: usize,
    aliases_seen: usize,
    /// Nodes added by aliases so far.
    expanded: usize,
}

fn read_yaml_events(text: &str, state: &mut State) -> Result<(), Stop> {
    EventReader {
        parser: serde_saphyr::granit_parser::Parser::new_from_str(text),
        state,
        anchors: HashMap::new(),
        anchors_seen: 0,
        aliases_seen: 0,
        expanded: 0,
    }
    .stream()
}

/// The 1-based line a span starts on.
fn line_of(span: &Span) -> Option<u64> {
    u64::try_from(span.start.line()).ok().filter(|l| *l > 0)
}

/// Whether a plain scalar is YAML's null.
fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

impl<'t> EventReader<'t, '_> {
    fn next(&mut self) -> Result<(Event<'t>, Span), Stop> {
        match self.parser.next_event() {
            Some(Ok(event)) => Ok(event),
            Some(Err(e)) => {
                let line = u64::try_from(e.marker().line()).ok().filter(|l| *l > 0);
                // The parser's own nesting limit (255), which its scanner may reach before
                // ours sees the events (`[[[[...` is scanned ahead).
                if matches!(
                    e.kind(),
                    serde_saphyr::granit_parser::ErrorKind::RecursionLimitExceeded
                ) {
                    let limit = Limit::Depth(self.state.limits.max_depth);
                    return Err(Stop::Limit(self.state.skipped(line, limit)));
                }
                let at = line.map(|l| format!(" at line {l}")).unwrap_or_default();
                Err(Stop::Invalid(
                    format!("invalid YAML: {}{at}", first_line(&e.info())),
                    line,
                ))
            }
            None => Err(Stop::Invalid(
                "invalid YAML: the text ends early".to_owned(),
                None,
            )),
        }
    }

    fn invalid(message: &str, span: &Span) -> Stop {
        let line = line_of(span);
        let at = line.map(|l| format!(" at line {l}")).unwrap_or_default();
        Stop::Invalid(format!("invalid YAML: {message}{at}"), line)
    }

    fn limit(&self, span: &Span, limit: Limit) -> Stop {
        Stop::Limit(self.state.skipped(line_of(span), limit))
    }

    fn begin_document(&mut self) {
        self.state.document = self.state.document.saturating_add(1);
        self.state.object = None;
    }

    fn stream(&mut self) -> Result<(), Stop> {
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamEnd => return Ok(()),
                Event::DocumentStart(..) => self.anchors.clear(),
                Event::MappingStart(..) => {
                    self.begin_document();
                    self.document(&span)?;
                }
                Event::SequenceStart(..) | Event::Alias(_) => {
                    self.begin_document();
                    self.skip(event, &span, 1)?;
                }
                Event::Scalar(text, style, anchor, tag) => {
                    if style != ScalarStyle::Plain || !is_null(&text) || tag.is_some() {
                        self.begin_document();
                    }
                    self.skip(Event::Scalar(text, style, anchor, tag), &span, 1)?;
                }
                _ => {}
            }
        }
    }

    /// A document that is a mapping: a list, or one object.
    fn document(&mut self, start: &Span) -> Result<(), Stop> {
        let mut rest = Map::new();
        let mut list = false;
        loop {
            let (event, span) = self.next()?;
            if matches!(event, Event::MappingEnd) {
                break;
            }
            let key = self.key(event, &span)?;
            if key == "items" {
                list = true;
                self.items()?;
                self.state.object = None;
                continue;
            }
            let role = if key == "metadata" {
                Role::Metadata
            } else {
                Role::Other
            };
            let (event, value_span) = self.next()?;
            let value = self.value(event, &value_span, role, 2)?;
            if let Some(key) = insert_new(&mut rest, key, value) {
                return Err(Self::invalid(&format!("duplicate key {key:?}"), &span));
            }
        }
        // A document with `items` is a list; its other keys are not an object.
        if !list && !self.state.add(Value::Object(rest), None, line_of(start)) {
            return Err(Stop::Invalid(String::new(), line_of(start)));
        }
        Ok(())
    }

    /// A list's `items`, each object added as soon as it is read.
    fn items(&mut self) -> Result<(), Stop> {
        let (event, span) = self.next()?;
        match event {
            Event::SequenceStart(..) => {
                if self.state.limits.max_depth < 2 {
                    return Err(self.limit(&span, Limit::Depth(self.state.limits.max_depth)));
                }
                let mut index: usize = 0;
                loop {
                    let (event, span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        return Ok(());
                    }
                    self.state.object = Some(index.saturating_add(1));
                    let item = self.value(event, &span, Role::Object, 3)?;
                    if !self.state.add(item, Some(index), line_of(&span)) {
                        return Err(Stop::Invalid(String::new(), line_of(&span)));
                    }
                    index = index.saturating_add(1);
                }
            }
            Event::Scalar(text, ScalarStyle::Plain, _, None) if is_null(&text) => Ok(()),
            _ => {
                let document = self.state.document;
                self.state.error = Some(dump_error(format!(
                    "document {document}: items: expected a list"
                )));
                Err(Stop::Invalid(String::new(), line_of(&span)))
            }
        }
    }

    /// A mapping key: a scalar (or an alias of one), as text.
    fn key(&mut self, event: Event<'t>, span: &Span) -> Result<String, Stop> {
        let value = match event {
            Event::Scalar(text, style, anchor, tag) => {
                if style == ScalarStyle::Plain && tag.is_none() {
                    if is_null(&text) {
                        return Err(Self::invalid("a mapping key that is null", span));
                    }
                    if text == "<<" {
                        return Err(Self::invalid(
                            "a merge key (<<): dumps do not merge mappings",
                            span,
                        ));
                    }
                }
                if anchor != 0 {
                    self.anchor(anchor, Value::String(text.to_string()), 1, span)?;
                }
                return Ok(text.into_owned());
            }
            Event::Alias(id) => self.alias(id, span)?,
            _ => return Err(Self::invalid("a mapping key that is not a string", span)),
        };
        match value {
            Value::String(text) => Ok(text),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            _ => Err(Self::invalid("a mapping key that is not a string", span)),
        }
    }

    /// One node, built; `depth` is its nesting if it is a mapping or a list.
    fn value(
        &mut self,
        event: Event<'t>,
        span: &Span,
        role: Role,
        depth: usize,
    ) -> Result<Value, Stop> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let value = resolve(text, style, tag.as_deref(), span)?;
                if anchor != 0 {
                    self.anchor(anchor, value.clone(), 1, span)?;
                }
                Ok(value)
            }
            Event::SequenceStart(_, anchor, _) => {
                self.check_depth(depth, span)?;
                let mut items = Vec::new();
                loop {
                    let (event, item_span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.value(
                        event,
                        &item_span,
                        Role::Other,
                        depth.saturating_add(1),
                    )?);
                }
                let value = Value::Array(items);
                if anchor != 0 {
                    let nodes = count_nodes(&value);
                    self.anchor(anchor, value.clone(), nodes, span)?;
                }
                Ok(value)
            }
            Event::MappingStart(_, anchor, _) => {
                self.check_depth(depth, span)?;
                let mut map = Map::new();
                loop {
                    let (event, key_span) = self.next()?;
                    if matches!(event, Event::MappingEnd) {
                        break;
                    }
                    let key = self.key(event, &key_span)?;
                    let (event, value_span) = self.next()?;
                    let child = match (role, key.as_str()) {
                        (Role::Metadata, "managedFields") => {
                            self.skip(event, &value_span, depth.saturating_add(1))?;
                            continue;
                        }
                        (Role::Object, "metadata") => Role::Metadata,
                        _ => Role::Other,
                    };
                    let value = self.value(event, &value_span, child, depth.saturating_add(1))?;
                    if let Some(key) = insert_new(&mut map, key, value) {
                        return Err(Self::invalid(&format!("duplicate key {key:?}"), &key_span));
                    }
                }
                let value = Value::Object(map);
                if anchor != 0 {
                    let nodes = count_nodes(&value);
                    self.anchor(anchor, value.clone(), nodes, span)?;
                }
                Ok(value)
            }
            Event::Alias(id) => self.alias(id, span),
            _ => Err(Self::invalid("an unexpected event", span)),
        }
    }

    /// One node, read and dropped (what is anchored in it is still kept for its aliases).
    fn skip(&mut self, event: Event<'t>, span: &Span, depth: usize) -> Result<(), Stop> {
        match event {
            Event::Scalar(_, _, 0, _) => Ok(()),
            Event::SequenceStart(_, 0, _) | Event::MappingStart(_, 0, _) => {
                self.check_depth(depth, span)?;
                loop {
                    let (event, inner) = self.next()?;
                    if matches!(event, Event::SequenceEnd | Event::MappingEnd) {
                        return Ok(());
                    }
                    self.skip(event, &inner, depth.saturating_add(1))?;
                }
            }
            Event::Alias(_) => {
                self.aliases_seen = self.aliases_seen.saturating_add(1);
                if self.aliases_seen > self.state.limits.max_aliases {
                    return Err(self.limit(span, Limit::Aliases(self.state.limits.max_aliases)));
                }
                Ok(())
            }
            anchored => self.value(anchored, span, Role::Other, depth).map(drop),
        }
    }

    fn check_depth(&self, depth: usize, span: &Span) -> Result<(), Stop> {
        if depth > self.state.limits.max_depth {
            return Err(self.limit(span, Limit::Depth(self.state.limits.max_depth)));
        }
        Ok(())
    }

    fn anchor(&mut self, id: usize, value: Value, nodes: usize, span: &Span) -> Result<(), Stop> {
        self.anchors_seen = self.anchors_seen.saturating_add(1);
        if self.anchors_seen > self.state.limits.max_aliases {
            return Err(self.limit(span, Limit::Aliases(self.state.limits.max_aliases)));
        }
        self.anchors.insert(id, (value, nodes));
        Ok(())
    }

    fn alias(&mut self, id: usize, span: &Span) -> Result<Value, Stop> {
        let limits = &self.state.limits;
        self.aliases_seen = self.aliases_seen.saturating_add(1);
        if self.aliases_seen > limits.max_aliases {
            return Err(self.limit(span, Limit::Aliases(limits.max_aliases)));
        }
        let Some((value, nodes)) = self.anchors.get(&id) else {
            return Err(Self::invalid(
                "an alias of an anchor that is not defined",
                span,
            ));
        };
        self.expanded = self.expanded.saturating_add(*nodes);
        if self.expanded > limits.max_alias_expansion {
            return Err(self.limit(span, Limit::AliasExpansion(limits.max_alias_expansion)));
        }
        Ok(value.clone())
    }
}

/// The nodes of a value: itself and everything in it.
fn count_nodes(value: &Value) -> usize {
    match value {
        Value::Array(items) => items
            .iter()
            .fold(1, |n: usize, item| n.saturating_add(count_nodes(item))),
        Value::Object(map) => map.values().fold(1, |n: usize, item| {
            n.saturating_add(count_nodes(item)).saturating_add(1)
        }),
        _ => 1,
    }
}

/// A scalar's value: quoted and block scalars are text; plain ones are null, `true`, `false`,
/// a number or text, as serde-saphyr resolves them. A core-schema tag (`!!str`, `!!int`, ...)
/// says which; other tags are ignored.
fn resolve(
    text: std::borrow::Cow<'_, str>,
    style: ScalarStyle,
    tag: Option<&Tag>,
    span: &Span,
) -> Result<Value, Stop> {
    let tagged = tag.filter(|t| t.is_yaml_core_schema()).map(Tag::suffix);
    match tagged {
        Some("str") => return Ok(Value::String(text.into_owned())),
        Some("null") => return Ok(Value::Null),
        Some("bool" | "int" | "float") => return resolve_plain(text, span),
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return Ok(Value::String(text.into_owned()));
    }
    resolve_plain(text, span)
}

fn resolve_plain(text: std::borrow::Cow<'_, str>, span: &Span) -> Result<Value, Stop> {
    match &*text {
        t if is_null(t) => return Ok(Value::Null),
        "true" | "True" | "TRUE" => return Ok(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(Value::Bool(false)),
        _ => {}
    }
    let bytes = text.as_bytes();
    // Only text that starts like a number and holds nothing but a number's characters can be
    // one (`10Gi`, `2026-02-01T00:00:00Z` and names are text at once).
    let numeric = matches!(bytes.first(), Some(b'0'..=b'9' | b'+' | b'-' | b'.'))
        && bytes
            .iter()
            .all(|b| b"0123456789abcdefABCDEFxXoO.+-_eEinfINFaAN".contains(b));
    if !numeric {
        return Ok(Value::String(text.into_owned()));
    }
    if bytes.iter().all(u8::is_ascii_digit)
        && (bytes.len() == 1 || bytes.first() != Some(&b'0'))
        && let Ok(n) = text.parse::<u64>()
    {
        return Ok(Value::Number(n.into()));
    }
    // The rare rest (signs, exponents, hexadecimal, `.inf`): serde-saphyr's own resolution.
    let options = serde_saphyr::options! { with_snippet: false, strict_booleans: true };
    match serde_saphyr::from_str_with_options::<Value>(&text, options) {
        Ok(Value::Number(n)) if !crate::config::keeps_value(&n, &text) => {
            Ok(Value::String(text.into_owned()))
        }
        Ok(value @ (Value::Number(_) | Value::Bool(_) | Value::Null)) => Ok(value),
        Ok(_) => Ok(Value::String(text.into_owned())),
        Err(e) => Err(EventReader::invalid(&first_line(&e.to_string()), span)),
    }
}

// ---------------------------------------------------------------------------------------------
// JSON

/// Reads JSON values one after the other into the state.
fn read_json(text: &str, state: &mut State) -> Result<(), Stop> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    while deserializer.end().is_err() {
        let result = DocumentSeed { state }.deserialize(&mut deserializer);
        if let Err(error) = result {
            let line = u64::try_from(error.line()).ok().filter(|l| *l > 0);
            if state.error.is_some() {
                return Err(Stop::Invalid(String::new(), line));
            }
            // serde_json's own recursion limit (128) only fires past ours, inside skipped data.
            if state.too_deep || error.to_string().starts_with("recursion limit exceeded") {
                let limit = Limit::Depth(state.limits.max_depth);
                return Err(Stop::Limit(state.skipped(line, limit)));
            }
            return Err(Stop::Invalid(
                format!("invalid JSON: {}", first_line(&error.to_string())),
                line,
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Documents, lists and objects, for both notations

/// One JSON value: a list whose items are read one by one, an object, or anything else
/// (skipped).
struct DocumentSeed<'s> {
    state: &'s mut State,
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.state.document = self.state.document.saturating_add(1);
        self.state.object = None;
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Kubernetes object or a List")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let flags = Flags::default();
        let depth = self.state.limits.max_depth;
        // The document's own keys, but `items` (and `managedFields` in `metadata`).
        let mut rest = Map::new();
        let mut list = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" {
                list = true;
                map.next_value_seed(ItemsSeed {
                    state: &mut *self.state,
                })?;
                self.state.object = None;
                continue;
            }
            let role = if key == "metadata" {
                Role::Metadata
            } else {
                Role::Other
            };
            let value = map.next_value_seed(ValueSeed {
                flags: &flags,
                depth_left: depth.saturating_sub(1),
                role,
            });
            let value = value.map_err(|e| self.state.flag(&flags, e))?;
            if let Some(key) = insert_new(&mut rest, key, value) {
                return Err(de::Error::custom(format!("duplicate key {key:?}")));
            }
        }
        self.state.note(&flags);
        // A document with `items` is a list (`kind: List`, as kubectl prints it); its other
        // keys are not an object.
        if !list && !self.state.add(Value::Object(rest), None, None) {
            return Err(de::Error::custom(OBJECT_ERROR));
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
}

impl State {
    /// Keeps what a value's reading saw (nesting too deep).
    fn note(&mut self, flags: &Flags) {
        self.too_deep |= flags.too_deep.get();
    }

    /// The same, on the way out with an error.
    fn flag<E>(&mut self, flags: &Flags, error: E) -> E {
        self.note(flags);
        error
    }
}

/// A list's `items`, each read, typed and added in turn.
struct ItemsSeed<'s> {
    state: &'s mut State,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let depth = self.state.limits.max_depth;
        let mut index: usize = 0;
        loop {
            self.state.object = Some(index.saturating_add(1));
            let flags = Flags::default();
            let next = seq.next_element_seed(ValueSeed {
                flags: &flags,
                depth_left: depth.saturating_sub(2),
                role: Role::Object,
            });
            let Some(item) = next.map_err(|e| self.state.flag(&flags, e))? else {
                break;
            };
            if !self.state.add(item, Some(index), None) {
                return Err(de::Error::custom(OBJECT_ERROR));
            }
            index = index.saturating_add(1);
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self.not_a_list())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.not_a_list())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.not_a_list())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.not_a_list())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.not_a_list())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.not_a_list())
    }
}

impl ItemsSeed<'_> {
    fn not_a_list<E: de::Error>(self) -> E {
        let document = self.state.document;
        self.state.error = Some(dump_error(format!(
            "document {document}: items: expected a list"
        )));
        E::custom(OBJECT_ERROR)
    }
}

/// What reading a value saw.
#[derive(Default)]
struct Flags {
    /// Nesting deeper than the limit.
    too_deep: Cell<bool>,
}

/// Where a value sits, for what is dropped: `managedFields` in an object's `metadata`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// An object: its `metadata` is [`Role::Metadata`].
    Object,
    /// An object's `metadata`.
    Metadata,
    /// Anything else.
    Other,
}

/// Inserts a key that the map does not hold yet; gives it back when it does.
fn insert_new(map: &mut Map<String, Value>, key: String, value: Value) -> Option<String> {
    match map.entry(key) {
        serde_json::map::Entry::Vacant(entry) => {
            entry.insert(value);
            None
        }
        serde_json::map::Entry::Occupied(entry) => Some(entry.key().clone()),
    }
}

/// A JSON value: keys unique, nesting bounded, `managedFields` dropped.
struct ValueSeed<'f> {
    flags: &'f Flags,
    depth_left: usize,
    role: Role,
}

impl ValueSeed<'_> {
    fn child(&self, role: Role) -> Self {
        ValueSeed {
            flags: self.flags,
            depth_left: self.depth_left.saturating_sub(1),
            role,
        }
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        if self.depth_left == 0 {
            self.flags.too_deep.set(true);
            return Err(de::Error::custom("nested too deep"));
        }
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element_seed(self.child(Role::Other))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        if self.depth_left == 0 {
            self.flags.too_deep.set(true);
            return Err(de::Error::custom("nested too deep"));
        }
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let role = match (self.role, key.as_str()) {
                (Role::Metadata, "managedFields") => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                (Role::Object, "metadata") => Role::Metadata,
                _ => Role::Other,
            };
            match out.entry(key) {
                serde_json::map::Entry::Vacant(entry) => {
                    entry.insert(map.next_value_seed(self.child(role))?);
                }
                serde_json::map::Entry::Occupied(entry) => {
                    return Err(de::Error::custom(format!(
                        "duplicate key {:?}",
                        entry.key()
                    )));
                }
            }
        }
        Ok(Value::Object(out))
    }
}

// ---------------------------------------------------------------------------------------------
// Shared with case files and scenarios

/// The YAML documents of an object file (a case, a scenario) as JSON values.
///
/// Objects are read as Kubernetes reads JSON: only `true` and `false` are booleans (a namespace
/// called `n` or `no` stays a string), duplicate keys are refused, and nesting and alias
/// expansion are bounded.
pub(crate) fn documents(text: &str) -> Result<Vec<Value>, String> {
    let options = serde_saphyr::options! {
        with_snippet: false,
        strict_booleans: true,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        budget: serde_saphyr::budget! {
            max_depth: 64,
            max_nodes: 2_000_000,
        },
    };
    let mut documents: Vec<Value> = serde_saphyr::from_multiple_with_options(text, options)
        .map_err(|e| format!("invalid YAML: {}", first_line(&e.to_string())))?;
    for (index, steps, exact) in crate::config::inexact_numbers(text) {
        if let Some(document) = documents.get_mut(index) {
            put_back(document, &steps, &exact);
        }
    }
    Ok(documents)
}

/// Puts the exact text of a number JSON would round (an unquoted `99999999999999999999999`)
/// back at its place, as a string: every number-valued field this crate reads is a quantity,
/// which Kubernetes reads from text, and an integer field that large is invalid either way.
pub(crate) fn put_back(value: &mut Value, steps: &[Step], exact: &str) {
    let mut at = value;
    for step in steps {
        let next = match (step, at) {
            (Step::Key(key), Value::Object(map)) => map.get_mut(key),
            (Step::Index(index), Value::Array(items)) => items.get_mut(*index),
            _ => None,
        };
        let Some(next) = next else { return };
        at = next;
    }
    if at.is_number() {
        *at = Value::String(exact.to_owned());
    }
}

/// The first line of a message, cut to 200 bytes: errors stay one clear line.
pub(crate) fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default();
    let mut cut = line.len().min(200);
    while !line.is_char_boundary(cut) {
        cut = cut.saturating_sub(1);
    }
    line.get(..cut).unwrap_or_default().to_owned()
}

/// Types one object, naming it and the field at fault when it does not parse.
fn typed<T: DeserializeOwned + KindName>(
    item: Value,
    place: &dyn Fn() -> String,
) -> Result<T, Error> {
    // Needed only on error, but the value is consumed by then.
    let label = object_label::<T>(item.get("metadata"));
    serde_path_to_error::deserialize(item).map_err(|e| {
        let path = e.path().to_string();
        let inner = first_line(&e.into_inner().to_string());
        dump_error(format!("{} ({label}): {path}: {inner}", place()))
    })
}

/// The kind name of each readable object type, for messages.
trait KindName {
    const KIND: &'static str;
}

impl KindName for PersistentVolume {
    const KIND: &'static str = "PersistentVolume";
}

impl KindName for PersistentVolumeClaim {
    const KIND: &'static str = "PersistentVolumeClaim";
}

impl KindName for StorageClass {
    const KIND: &'static str = "StorageClass";
}

/// `Kind namespace/name` as far as the untyped object says.
fn object_label<T: KindName>(meta: Option<&Value>) -> String {
    let field = |key: &str| {
        meta.and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    match (field("namespace"), field("name")) {
        ("", "") => format!("{} <unnamed>", T::KIND),
        ("", name) => format!("{} {name}", T::KIND),
        (namespace, name) => format!("{} {namespace}/{name}", T::KIND),
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::arithmetic_side_effects
    )]
    use super::*;

    fn stopped(text: &str, limits: &Limits) -> (Dump, Skipped) {
        let dump = read_dump_with(text.as_bytes(), limits).unwrap();
        let skipped = dump
            .skipped
            .clone()
            .unwrap_or_else(|| panic!("not stopped: {text}"));
        (dump, skipped)
    }

    #[test]
    fn r1_reads_lists_documents_and_skips_other_kinds() {
        let objects = read_objects(
            "apiVersion: v1\nkind: List\nitems:\n- {kind: PersistentVolumeClaim, metadata: {name: a, namespace: n}}\n- {kind: Secret, metadata: {name: s}}\n---\n---\nkind: PersistentVolume\nmetadata: {name: p}\n---\n- a list\n---\njust text\n",
        )
        .unwrap();
        assert!(objects.pvc("n", "a").is_some());
        assert!(objects.pv("p").is_some());
        assert_eq!(objects.len(), 2);
        assert!(read_objects("").unwrap().is_empty());
        assert!(
            read_objects("kind: List\nitems: null\n")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn r1_unquoted_huge_quantities_keep_their_text() {
        let objects = read_objects(
            "kind: PersistentVolume\napiVersion: v1\nmetadata: {name: big}\n\
             spec: {capacity: {storage: 99999999999999999999999}}\n",
        )
        .unwrap();
        let pv = objects.pv("big").unwrap();
        let capacity = pv.spec.as_ref().unwrap().capacity.as_ref().unwrap();
        assert_eq!(capacity["storage"].0, "99999999999999999999999");
        // In a list, after another document, and next to a JSON-exact number.
        let objects = read_objects(
            "kind: StorageClass\nmetadata: {name: c}\nprovisioner: p\n---\nkind: List\nitems:\n\
             - kind: PersistentVolume\n  metadata: {name: a, generation: 3}\n  spec: {capacity: {storage: 1Gi}}\n\
             - kind: PersistentVolume\n  metadata: {name: b}\n  spec: {capacity: {storage: 1.00000000000000000001}}\n",
        )
        .unwrap();
        let pv = objects.pv("b").unwrap();
        let capacity = pv.spec.as_ref().unwrap().capacity.as_ref().unwrap();
        assert_eq!(capacity["storage"].0, "1.00000000000000000001");
        assert_eq!(objects.pv("a").unwrap().metadata.generation, Some(3));
    }

    #[test]
    fn r1_bad_dumps_are_one_clear_error_naming_the_object() {
        let err =
            read_objects("kind: PersistentVolume\nmetadata: {name: p}\nspec: {capacity: 5}\n")
                .unwrap_err()
                .to_string();
        assert!(
            err.starts_with("document 1 (line 1) (PersistentVolume p): spec.capacity: "),
            "{err}"
        );
        let err = read_objects("kind: List\nitems:\n- kind: StorageClass\n  metadata: {name: c}\n  provisioner: p\n- kind: PersistentVolume\n  metadata: {name: q}\n  spec: {capacity: 5}\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("document 1, object 2 (line 6) (PersistentVolume q): spec.capacity: "),
            "{err}"
        );
        let err = read_objects("kind: [").unwrap_err().to_string();
        assert!(err.starts_with("invalid YAML"), "{err}");
        let err = read_objects(
            "kind: PersistentVolume\nmetadata: {name: p}\n---\nkind: PersistentVolume\nmetadata: {name: p}\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with(
                "document 2 (line 4): PersistentVolume p: metadata.name: another object"
            ),
            "{err}"
        );
        let err = read_objects("kind: List\nitems: 5\n")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "document 1: items: expected a list");
        let err = read_objects("kind: PersistentVolume\nmetadata: {}\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "document 1 (line 1): PersistentVolume <unnamed>: metadata.name: missing"
            ),
            "{err}"
        );
    }

    #[test]
    fn r1_merge_keys_and_keys_that_are_not_strings_are_refused() {
        for (text, message) in [
            (
                "kind: PersistentVolume\nmetadata: {<<: {name: a}}\n",
                "a merge key (<<)",
            ),
            (
                "kind: PersistentVolume\nmetadata: {~: a}\n",
                "a mapping key that is null",
            ),
            (
                "kind: PersistentVolume\nmetadata: {[a]: b}\n",
                "a mapping key that is not a string",
            ),
            (
                "kind: PersistentVolume\nmetadata: *nothing\n",
                "while parsing node, found unknown anchor",
            ),
        ] {
            let err = read_objects(text).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("invalid YAML: {message}")),
                "{err}"
            );
            assert!(err.ends_with(" at line 2"), "{err}");
        }
        // A quoted "<<" is a plain key.
        assert!(
            read_objects("kind: PersistentVolume\nmetadata: {name: a, labels: {'<<': b}}\n")
                .is_ok()
        );
    }

    #[test]
    fn r1_managed_fields_are_dropped_and_nothing_else() {
        for text in [
            "kind: PersistentVolume\nmetadata:\n  name: p\n  managedFields:\n  - manager: m\n    fieldsV1: {f:spec: {}}\n  labels: {managedFields: kept}\nspec: {managedFields: ignored}\n",
            "{\"kind\": \"List\", \"items\": [{\"kind\": \"PersistentVolume\", \"metadata\": {\"name\": \"p\", \"managedFields\": [{\"manager\": \"m\"}], \"labels\": {\"managedFields\": \"kept\"}}}]}",
        ] {
            let objects = read_objects(text).unwrap();
            let pv = objects.pv("p").unwrap();
            assert_eq!(pv.metadata.managed_fields, None, "{text}");
            assert_eq!(
                pv.metadata.labels.as_ref().unwrap()["managedFields"],
                "kept"
            );
        }
    }

    #[test]
    fn r1_json_dumps_are_read_by_content() {
        let list = r#"{
            "apiVersion": "v1",
            "items": [
                {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "p"}},
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "skipped"}}
            ],
            "kind": "List",
            "metadata": {"resourceVersion": ""}
        }"#;
        let dump = read_dump(list.as_bytes()).unwrap();
        assert_eq!(dump.format, Format::Json);
        assert!(dump.objects.pv("p").is_some());
        assert_eq!(dump.objects.len(), 1);
        // Concatenated values, with or without blanks between them.
        let two = "{\"kind\":\"StorageClass\",\"metadata\":{\"name\":\"c\"},\"provisioner\":\"x\"}{\"kind\":\"PersistentVolume\",\"metadata\":{\"name\":\"q\"}}\n\n{\"kind\": \"List\", \"items\": []}\n";
        let dump = read_dump(two.as_bytes()).unwrap();
        assert_eq!(dump.format, Format::Json);
        assert!(dump.objects.storage_class("c").is_some() && dump.objects.pv("q").is_some());
        // JSON's errors: not JSON, a duplicate key, an object that does not parse.
        let err = read_dump(b"{\"kind\": \"List\", items: []}")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("invalid JSON: ") && err.contains("line 1"),
            "{err}"
        );
        let err = read_dump(
            b"{\"kind\": \"PersistentVolume\", \"metadata\": {\"name\": \"a\", \"name\": \"b\"}}",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("invalid JSON: duplicate key \"name\""),
            "{err}"
        );
        let err = read_dump(b"{\"kind\": \"List\", \"items\": [{\"kind\": \"PersistentVolume\", \"metadata\": {\"name\": \"a\"}, \"spec\": {\"capacity\": 5}}]}")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("document 1, object 1 (PersistentVolume a): spec.capacity: "),
            "{err}"
        );
        // YAML's duplicate keys are refused by its parser.
        let err = read_dump(b"kind: PersistentVolume\nkind: PersistentVolume\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("invalid YAML"), "{err}");
    }

    #[test]
    fn r1_format_detection() {
        for (text, format) in [
            ("{\"a\": 1}", Format::Json),
            ("\u{feff}  \n{\n  \"a\": 1}", Format::Json),
            ("{}", Format::Json),
            ("{ }", Format::Json),
            ("{kind: List}", Format::Yaml),
            ("# {\"a\": 1}\n", Format::Yaml),
            ("[{\"a\": 1}]", Format::Yaml),
            ("", Format::Yaml),
            ("{", Format::Yaml),
        ] {
            assert_eq!(Format::detect(text.as_bytes()), format, "{text:?}");
        }
        assert_eq!(Format::Json.as_str(), "json");
        assert_eq!(Format::Yaml.as_str(), "yaml");
    }

    #[test]
    fn r1_text_that_is_not_utf8_is_refused() {
        let err = read_dump(b"kind: List\nitems: []\n\xff")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "not UTF-8 text (byte 21 is not)");
    }

    /// The byte limit: what fits is read, the object the cut may have cut is dropped.
    #[test]
    fn t6_a_dump_over_the_byte_limit_keeps_what_was_read() {
        let text = "apiVersion: v1\nitems:\n\
                    - kind: PersistentVolume\n  metadata: {name: a}\n\
                    - kind: PersistentVolume\n  metadata: {name: b}\n  spec:\n    capacity: {storage: 1Gi}\n\
                    kind: List\n";
        let whole = read_dump(text.as_bytes()).unwrap();
        assert!(whole.is_complete());
        assert_eq!(whole.objects.len(), 2);
        // Cut inside b's spec: b may be incomplete, so it is not kept.
        let cut = text.find("    capacity").unwrap() + 4;
        let limits = Limits::default().with_max_bytes(cut as u64);
        let (dump, skipped) = stopped(text, &limits);
        assert!(dump.objects.pv("a").is_some());
        assert!(dump.objects.pv("b").is_none());
        assert_eq!(
            skipped,
            Skipped {
                document: 1,
                object: Some(2),
                line: Some(5),
                limit: Limit::Bytes(cut as u64)
            }
        );
        assert_eq!(
            skipped.to_string(),
            format!(
                "not read from line 5 (document 1, object 2) on: the dump is larger than {cut} bytes"
            )
        );
        // Exactly the dump's size is within the limit.
        let limits = Limits::default().with_max_bytes(text.len() as u64);
        assert!(
            read_dump_with(text.as_bytes(), &limits)
                .unwrap()
                .is_complete()
        );
        // JSON cut inside its second object keeps the first, which ended before the cut.
        let json = "{\"kind\": \"List\", \"items\": [\n{\"kind\": \"PersistentVolume\", \"metadata\": {\"name\": \"a\"}},\n{\"kind\": \"PersistentVolume\", \"metadata\": {\"name\": \"b\"}}\n]}\n";
        let cut = json.find("\"b\"").unwrap();
        let (dump, skipped) = stopped(json, &Limits::default().with_max_bytes(cut as u64));
        assert!(dump.objects.pv("a").is_some() && dump.objects.pv("b").is_none());
        assert_eq!(
            (skipped.document, skipped.object, skipped.line),
            (1, Some(2), Some(3))
        );
        // A cut inside a multi-byte character and without a line break still reads text.
        let (dump, skipped) = stopped(
            "kind: List\nitems: []\n# é",
            &Limits::default().with_max_bytes(24),
        );
        assert!(dump.objects.is_empty());
        assert_eq!(skipped.limit, Limit::Bytes(24));
        // The default is MAX_DUMP_BYTES, 8 GiB.
        assert_eq!(Limits::default().max_bytes, 8 << 30);
        // read_objects refuses what read_dump reads in part.
        assert!(read_objects("kind: List\nitems: [[[[[]]]]]\n").is_ok());
    }

    #[test]
    fn t6_nesting_deeper_than_the_limit_stops_reading_in_both_notations() {
        let limits = Limits::default().with_max_depth(6);
        // document (1) > items (2) > object (3) > metadata (4) > labels (5) > value (6)
        let yaml = |value: &str| {
            format!(
                "kind: List\nitems:\n- kind: PersistentVolume\n  metadata: {{name: a}}\n- kind: PersistentVolume\n  metadata:\n    name: b\n    labels:\n      x: {value}\n"
            )
        };
        let json = |value: &str| {
            format!(
                "{{\"kind\": \"List\", \"items\": [{{\"kind\": \"PersistentVolume\", \"metadata\": {{\"name\": \"a\"}}}},\n{{\"kind\": \"PersistentVolume\", \"metadata\": {{\"name\": \"b\", \"labels\": {{\"x\": {value}}}}}}}]}}"
            )
        };
        for text in [yaml("{}"), json("{}")] {
            // Six deep: read (the label does not parse, but that is not the limit).
            let err = read_dump_with(text.as_bytes(), &limits)
                .unwrap_err()
                .to_string();
            assert!(err.contains("metadata.labels.x"), "{err}");
        }
        for text in [yaml("[{}]"), json("[{}]")] {
            let (dump, skipped) = stopped(&text, &limits);
            assert!(
                dump.objects.pv("a").is_some() && dump.objects.pv("b").is_none(),
                "{text}"
            );
            assert_eq!(skipped.limit, Limit::Depth(6));
            assert_eq!((skipped.document, skipped.object), (1, Some(2)), "{text}");
            assert!(skipped.line.is_some());
        }
        // A limit set past the cap is the cap: the stack stays bounded (here the parser's own
        // limit, 255, is reached first while it scans ahead).
        let huge = Limits::default().with_max_depth(usize::MAX);
        let deep = format!(
            "kind: List\nitems: {}{}\n",
            "[".repeat(5_000),
            "]".repeat(5_000)
        );
        let (_, skipped) = stopped(&deep, &huge);
        assert_eq!(skipped.limit, Limit::Depth(MAX_DEPTH_CAP));
        // Beyond serde_json's own recursion limit, and at the default limit in YAML.
        let deep = format!(
            "{{\"kind\": \"List\", \"items\": {}{}}}",
            "[".repeat(200),
            "]".repeat(200)
        );
        let (_, skipped) = stopped(&deep, &Limits::default());
        assert_eq!(skipped.limit, Limit::Depth(MAX_DEPTH));
        let deep = format!("kind: List\nitems: {}{}\n", "[".repeat(70), "]".repeat(70));
        let (_, skipped) = stopped(&deep, &Limits::default());
        assert_eq!(skipped.limit, Limit::Depth(MAX_DEPTH));
        assert_eq!(skipped.line, Some(2));
    }

    /// Billion laughs: ten aliases of ten aliases, nine times over.
    fn alias_bomb() -> String {
        let mut text = String::from(
            "kind: List\nitems:\n- {kind: PersistentVolume, metadata: {name: before}}\n- kind: ConfigMap\n  data:\n    l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
        );
        for level in 1..10 {
            let prev = level - 1;
            text.push_str(&format!(
                "    l{level}: &l{level} [*l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}]\n"
            ));
        }
        text.push_str("- {kind: PersistentVolume, metadata: {name: after}}\n");
        text
    }

    #[test]
    fn t6_an_alias_bomb_stops_reading_and_keeps_what_was_read() {
        let text = alias_bomb();
        let (dump, skipped) = stopped(&text, &Limits::default());
        assert!(dump.objects.pv("before").is_some());
        assert!(dump.objects.pv("after").is_none());
        assert_eq!(skipped.limit, Limit::AliasExpansion(MAX_ALIAS_EXPANSION));
        let err = read_objects(&text).unwrap_err().to_string();
        assert!(
            err.contains("YAML aliases expand to more than 100000 nodes"),
            "{err}"
        );
        // The same at the end of a long dump.
        let long = format!(
            "{text}{}",
            "# a comment to make the text long\n".repeat(100_000)
        );
        let (dump, skipped) = stopped(&long, &Limits::default());
        assert!(dump.objects.pv("before").is_some() && dump.objects.pv("after").is_none());
        assert_eq!(skipped.limit, Limit::AliasExpansion(MAX_ALIAS_EXPANSION));
        assert!(
            skipped
                .to_string()
                .ends_with("on: YAML aliases expand to more than 100000 nodes"),
            "{skipped}"
        );
        // Aliases that stay within the limits are read.
        let small = "kind: List\nitems:\n- &pv {kind: PersistentVolume, metadata: {name: a}}\n- kind: StorageClass\n  metadata: {name: c}\n  provisioner: *p\n  parameters: {p: &p x}\n";
        let err = read_dump(small.as_bytes()).unwrap_err().to_string();
        assert!(err.starts_with("invalid YAML"), "an unknown anchor: {err}");
        let small = "kind: List\nitems:\n- &pv {kind: PersistentVolume, metadata: {name: a}}\n- kind: StorageClass\n  metadata: {name: c}\n  parameters: {p: &p x}\n  provisioner: *p\n";
        let objects = read_objects(small).unwrap();
        assert_eq!(objects.storage_class("c").unwrap().provisioner, "x");
    }

    #[test]
    fn t6_more_aliases_than_the_limit_stop_reading() {
        let limits = Limits::default().with_max_aliases(3, 1000);
        let text = "kind: List\nitems:\n- {kind: PersistentVolume, metadata: {name: a, labels: {x: &x y}}}\n- {kind: PersistentVolume, metadata: {name: b, labels: {a: *x, b: *x, c: *x, d: *x}}}\n";
        let (dump, skipped) = stopped(text, &limits);
        assert!(dump.objects.pv("a").is_some() && dump.objects.pv("b").is_none());
        assert_eq!(skipped.limit, Limit::Aliases(3));
        assert_eq!(skipped.line, Some(4));
        let limits = Limits::default().with_max_aliases(10, 3);
        let (_, skipped) = stopped(text, &limits);
        assert_eq!(skipped.limit, Limit::AliasExpansion(3));
    }

    /// Only the documented limits stop reading: the densest YAML without aliases is read.
    #[test]
    fn t6_no_other_limit_stops_dense_text_without_aliases() {
        // The densest constructs a reader accepts: one event for every one or two bytes.
        let item =
            |dense: &str| format!("kind: List\nitems:\n- kind: ConfigMap\n  data: {dense}\n");
        let dense = [
            item(&format!("[{}]", "a,".repeat(50_000))),
            item(&format!("[{}]", "[],".repeat(50_000))),
            item(&format!("[{}]", "{},".repeat(50_000))),
            item(&format!("\n{}", "  -\n".repeat(50_000))),
            item(&format!("[{}]", "{a: },".repeat(50_000))),
            item(&format!("\"{}\"", "\\L".repeat(50_000))),
            "---\n".repeat(50_000),
            "--- a\n".repeat(50_000),
            "--- {}\n".repeat(50_000),
        ];
        for text in dense {
            let dump =
                read_dump(text.as_bytes()).unwrap_or_else(|e| panic!("{e}: {}", &text[..50]));
            assert!(dump.is_complete(), "{:?}: {}", dump.skipped, &text[..50]);
        }
    }

    #[test]
    fn t6_skipped_dumps_make_an_audit_incomplete_finding() {
        let (_, skipped) = stopped(&alias_bomb(), &Limits::default());
        let finding = skipped.finding("host dump h.yaml");
        assert_eq!(finding.kind, FindingKind::AuditIncomplete);
        assert_eq!(finding.severity, crate::audit::Severity::High);
        assert_eq!(
            finding.message,
            format!(
                "host dump h.yaml: {skipped}; the audit covers only the objects before it, and findings about the others are missing"
            )
        );
        assert!(
            finding.virtual_pv.is_none()
                && finding.host_pv.is_none()
                && finding.virtual_pvc.is_none()
        );
    }

    #[test]
    fn r1_limits_and_their_messages() {
        let limits = Limits::default()
            .with_max_bytes(1)
            .with_max_depth(2)
            .with_max_aliases(3, 4);
        assert_eq!(
            (
                limits.max_bytes,
                limits.max_depth,
                limits.max_aliases,
                limits.max_alias_expansion
            ),
            (1, 2, 3, 4)
        );
        for (limit, text) in [
            (Limit::Bytes(9), "the dump is larger than 9 bytes"),
            (
                Limit::Depth(9),
                "mappings and lists nested more than 9 deep",
            ),
            (Limit::Aliases(9), "more than 9 YAML aliases or anchors"),
            (
                Limit::AliasExpansion(9),
                "YAML aliases expand to more than 9 nodes",
            ),
        ] {
            assert_eq!(limit.to_string(), text);
        }
        let skipped = Skipped {
            document: 2,
            object: None,
            line: None,
            limit: Limit::Depth(9),
        };
        assert_eq!(
            skipped.to_string(),
            "not read (document 2) on: mappings and lists nested more than 9 deep"
        );
    }
}

/// The YAML reader against serde-saphyr, the parser the rest of the crate reads YAML with.
#[cfg(test)]
mod same_as_serde_saphyr {
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::arithmetic_side_effects
    )]
    use super::*;

    /// The objects serde-saphyr's reading gives (`documents`, as case files are read, with
    /// `managedFields` removed), or `None` when it refuses the text or an object.
    fn oracle(text: &str) -> Option<String> {
        let mut pvcs = Vec::new();
        let mut pvs = Vec::new();
        let mut classes = Vec::new();
        for document in documents(text).ok()? {
            let items = match document {
                Value::Object(map) if map.contains_key("items") => match map.get("items") {
                    Some(Value::Array(items)) => items.clone(),
                    Some(Value::Null) => Vec::new(),
                    _ => return None,
                },
                Value::Object(map) => vec![Value::Object(map)],
                _ => Vec::new(),
            };
            for mut item in items {
                if let Some(Value::Object(meta)) = item.get_mut("metadata") {
                    meta.remove("managedFields");
                }
                match item.get("kind").and_then(Value::as_str) {
                    Some("PersistentVolumeClaim") => pvcs.push(serde_json::from_value(item).ok()?),
                    Some("PersistentVolume") => pvs.push(serde_json::from_value(item).ok()?),
                    Some("StorageClass") => {
                        classes.push(serde_json::from_value::<StorageClass>(item).ok()?);
                    }
                    _ => {}
                }
            }
        }
        Some(format!("{:?}", Objects::new(pvcs, pvs, classes).ok()?))
    }

    fn ours(text: &str) -> Option<String> {
        read_objects(text)
            .ok()
            .map(|objects| format!("{objects:?}"))
    }

    #[test]
    fn r1_real_dumps_read_as_serde_saphyr_reads_them() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        for entry in std::fs::read_dir(root.join("examples/data")).unwrap() {
            texts.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
        for entry in std::fs::read_dir(root.join("tests/audits")).unwrap() {
            let fixture: Value =
                serde_saphyr::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap())
                    .unwrap();
            for key in ["virtual", "host"] {
                texts.push(fixture[key].as_str().unwrap().to_owned());
            }
        }
        let mut read = 0;
        for text in &texts {
            let expected = oracle(text);
            // The alias bomb is refused by both, each by its own limit.
            assert_eq!(ours(text).is_some(), expected.is_some(), "{text}");
            if let Some(expected) = expected {
                assert_eq!(ours(text).unwrap(), expected);
                read += 1;
            }
        }
        assert!(read > 40, "{read}");
    }

    #[test]
    fn r1_yaml_forms_read_as_serde_saphyr_reads_them() {
        let cases = [
            "kind: PersistentVolume\nmetadata: {name: a, labels: {x: 'y', n: \"5\"}}\nspec: {capacity: {storage: 10Gi}, mountOptions: [a, 'b', \"c\"]}\n",
            "%YAML 1.2\n---\nkind: PersistentVolume\nmetadata:\n  name: a\n  annotations:\n    text: |\n      two\n      lines\n    folded: >-\n      one\n      line\n...\n---\n# a comment\nkind: StorageClass\nmetadata: {name: c}\nprovisioner: x\n",
            "kind: List\nitems:\n- &pv {kind: PersistentVolume, metadata: {name: a, annotations: &ann {k: v}}}\n- kind: PersistentVolume\n  metadata: {name: b, annotations: *ann}\n",
            "kind: List\nitems:\n- kind: PersistentVolume\n  metadata: {name: a, generation: 7, labels: {a: !!str 5, b: !!str true}}\n  spec: {iscsi: {lun: 0x1F, targetPortal: p, iqn: q}}\n",
            "kind: List\nitems:\n- kind: PersistentVolume\n  metadata: {name: a}\n  spec: {capacity: {storage: 99999999999999999999999}}\n- kind: PersistentVolume\n  metadata: {name: b}\n  spec: {capacity: {storage: 1e3}}\n",
            "{kind: List, items: [{kind: PersistentVolumeClaim, metadata: {name: a, namespace: n}}]}",
            "kind: List\nitems:\n- kind: PersistentVolume\n  metadata: {name: a, labels: {x: yes, y: null, z: ~, w: True}}\n",
            "kind: List\nitems:\n- kind: PersistentVolume\n  metadata: {name: a, labels: {x: no, y: off, z: 'on'}}\n",
            "kind: PersistentVolume\nmetadata:\n  name: a\n  labels:\n    ? x\n    : y\n",
            "kind: PersistentVolume\nmetadata: {name: a}\nspec: {capacity: {storage: .inf}}\n",
            "kind: PersistentVolume\nmetadata: {name: a, name: b}\n",
            "kind: PersistentVolume\nmetadata: {name: \"a\\tb\\u00e9\"}\n",
            "- kind: PersistentVolume\n  metadata: {name: a}\n",
            "kind: List\nitems: []\nmetadata: {resourceVersion: ''}\n",
            "kind: PersistentVolume\nmetadata: {name: 0755}\n",
            "kind: PersistentVolume\nmetadata: {name: -1.5e-3}\n",
            "kind: PersistentVolume\nmetadata: {name: +12}\n",
            "",
            "---\n---\n",
        ];
        for text in cases {
            assert_eq!(ours(text), oracle(text), "{text}");
        }
    }

    proptest::proptest! {
        /// Plain scalars resolve to the value serde-saphyr gives them (with the exact text of
        /// a number `f64` would change, as case files keep it).
        #[test]
        fn r1_plain_scalars_resolve_as_serde_saphyr_resolves_them(
            text in "[-+.0-9a-fA-FxXoOinfINFaAN_eEtrueTRUEnulNULGiMk~]{0,9}"
        ) {
            let document = format!("x: {text}\n");
            let theirs: Result<Value, _> = serde_saphyr::from_str_with_options(
                &document,
                serde_saphyr::options! { with_snippet: false, strict_booleans: true },
            );
            let span = Span::empty(serde_saphyr::granit_parser::Marker::new(0, 1, 0));
            let ours = resolve_plain(std::borrow::Cow::Borrowed(&text), &span);
            if let Ok(map) = theirs {
                {
                    // Only what is a plain scalar in this position (`x: -` is a list, ...).
                    let Some(value) = map.get("x").cloned() else { return Ok(()) };
                    let expected = match value {
                        Value::Number(n) if !crate::config::keeps_value(&n, &text) => {
                            Value::String(text.clone())
                        }
                        other => other,
                    };
                    if expected.is_object() || expected.is_array() {
                        return Ok(());
                    }
                    let ours = ours.map_err(|_| "refused").unwrap();
                    proptest::prop_assert_eq!(ours, expected, "{:?}", text);
                }
            }
        }
    }
}
