//! Kubernetes resource quantities (`5Gi`, `1024Mi`, `1.5e3`, `500m`): parsed, compared and
//! written exactly as `k8s.io/apimachinery/pkg/api/resource` does (SPEC §0).
//!
//! # What is reproduced
//!
//! - **Grammar** (Go's `parseQuantityString` and `suffixer.interpret`): an optional sign, digits
//!   with at most one decimal point (`1.`, `.5` and `1.G` are numbers), then a suffix: binary
//!   `Ki Mi Gi Ti Pi Ei`, decimal `n u m "" k M G T P E`, or a decimal exponent `e`/`E` with an
//!   optional sign. No whitespace. Like Go's scanner, a number without digits is zero when
//!   Kubernetes takes its int64 fast path (`+`, `-`, `.`, `k`, `e3`, `Ti`: these are stored as
//!   `0` today) and an error when it takes the `inf.Dec` path (`Pi`, `Ei`, `e-10`: `ErrNumeric`).
//! - **The int32 exponent check** (kubernetes#141203, SPEC §0): a decimal exponent outside int32
//!   is an error ([`QuantityErrorKind::ExponentOutOfRange`]; Go answers `ErrSuffix`).
//! - **The value** (`ParseQuantity`): exact, whatever the number of digits; a non-zero value is
//!   rounded away from zero to a multiple of 10⁻⁹ (`inf.RoundUp` at `Nano`: `0.1n` is `1n`); a
//!   `BinarySI` value is capped at `2^63-1` in magnitude (`9Ei` is `9223372036854775807`), and one
//!   below 1 in magnitude is kept as `DecimalSI`.
//! - **The format** ([`Format`]) is remembered from the suffix, as Go's `Quantity.Format`.
//! - **The spelling** ([`Quantity::canonical`], Go's `String()`, which is what the API server
//!   stores): Go reuses the parsed text verbatim when its fast path judges it canonical (so
//!   `+1`, `01`, `1.`, `1E3`, `1e0` and `1.441` are stored as written, kubernetes#138165, #141166);
//!   otherwise it computes the canonical form ([`Quantity::canonical_uncached`], Go's
//!   `CanonicalizeBytes`): the mantissa without fractional digits and the largest exponent that
//!   is a multiple of 3 (`AsCanonicalBytes`), written with the format's suffix. `BinarySI` is
//!   written with the largest binary suffix that divides the integer value
//!   (`AsCanonicalBase1024Bytes`, `1024Mi` -> `1Gi`, `0.5Gi` -> `512Mi`), and falls back to
//!   `DecimalSI` below 1024 in magnitude or for a fractional value (`1.5Ki` -> `1536`,
//!   `1.1Ki` -> `1126400m`). A `DecimalSI` value above the `E` suffix is written with a decimal
//!   exponent (`1000E` -> `1e21`, kubernetes#140459; older releases dropped the exponent and
//!   wrote `1`, changing the value; `1e21` is stored unchanged by both).
//! - **Comparison** (`Cmp`): by exact value; [`Quantity`]'s `Eq`, `Hash` and `Ord` all follow it.
//!
//! # Where this differs from Go, deliberately
//!
//! - A decimal exponent of exactly `-2147483648` is accepted (the value rounds up to `1n`, as the
//!   grammar and upstream's exact model say); Go's master rejects it and v1.37 hangs.
//! - A value whose canonical exponent does not fit an int32 (`1000e2147483647`) is an error
//!   ([`QuantityErrorKind::ExponentOutOfRange`]): Go wraps the exponent and stores a spelling of
//!   another value.
//!
//! # Bounds
//!
//! None on the input's length: the value is kept as its decimal digits and a power of ten, and
//! every operation (parse, rounding, comparison, writing) is linear in the number of digits; no
//! power of ten is ever materialised (`1e2147483647` costs what `1` does). A 1 MB string of
//! digits takes a few milliseconds and about twice its size in memory. Errors repeat at most
//! the first 100 bytes of the text.

use std::cmp::Ordering;
use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};
use std::num::IntErrorKind;
use std::str::FromStr;

/// The most bytes of the text an error repeats.
const ECHO_LIMIT: usize = 100;

/// The power of ten of the smallest step a quantity keeps (Go's `Nano`).
const NANO: i64 = -9;

/// Go's cap on a `BinarySI` value's magnitude (`maxAllowed`, the largest int64).
const BINARY_CAP: u64 = i64::MAX.unsigned_abs();

/// Letters a suffix is made of (Go's scanner).
const SUFFIX_LETTERS: &str = "eEinumkKMGTP";

/// The most digits (whole and fraction) Go's int64 fast path takes for a decimal suffix
/// (`maxInt64Factors`).
const FAST_DECIMAL_DIGITS: usize = 18;

/// Decimal suffixes and their powers of ten (Go's `decSuffixes`).
const DECIMAL_SUFFIXES: [(&str, i32); 10] = [
    ("n", -9),
    ("u", -6),
    ("m", -3),
    ("", 0),
    ("k", 3),
    ("M", 6),
    ("G", 9),
    ("T", 12),
    ("P", 15),
    ("E", 18),
];

/// Binary suffixes, their powers of two, and the most whole digits Go's fast path takes with
/// them (`15 - len(num) - exponent*3/10 - 1 >= 0`; none for `Pi` and `Ei`).
const BINARY_SUFFIXES: [(&str, u32, usize); 6] = [
    ("Ki", 10, 11),
    ("Mi", 20, 8),
    ("Gi", 30, 5),
    ("Ti", 40, 2),
    ("Pi", 50, 0),
    ("Ei", 60, 0),
];

/// How a quantity is written (Go's `resource.Format`), remembered from the parsed suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A decimal exponent: `12e6`.
    DecimalExponent,
    /// A binary suffix: `12Mi` (12 × 2²⁰).
    BinarySI,
    /// A decimal suffix or none: `12M` (12 × 10⁶).
    DecimalSI,
}

/// An exact Kubernetes quantity: its value, and the format (and, where Kubernetes keeps it, the
/// text) it is written in.
///
/// Equality, hashing and ordering are by value only, as Go's `Cmp`: `1Gi == 1024Mi`.
///
/// ```
/// use pv_translate::quantity::Quantity;
/// let a: Quantity = "1Gi".parse().unwrap();
/// let b: Quantity = "1024Mi".parse().unwrap();
/// assert_eq!(a, b);
/// assert_eq!(b.canonical(), "1Gi");
/// assert!(a > "1G".parse::<Quantity>().unwrap());
/// assert_eq!("0.5k".parse::<Quantity>().unwrap(), "500".parse().unwrap());
/// assert_eq!("0.1n".parse::<Quantity>().unwrap(), "1n".parse().unwrap());
/// ```
#[derive(Clone)]
pub struct Quantity {
    value: Decimal,
    format: Format,
    /// The parsed text, when Kubernetes writes it back unchanged (Go's cached `s`).
    verbatim: Option<Box<str>>,
}

/// Why a text is not a quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QuantityError {
    /// The text given, cut to its first 100 bytes (at a character boundary).
    pub text: String,
    /// The length in bytes of the whole text.
    pub len: usize,
    /// What is wrong, in words.
    pub reason: &'static str,
    /// What is wrong, as one of Kubernetes' parse errors.
    pub kind: QuantityErrorKind,
}

/// The kinds of [`QuantityError`], each matching one of Go's parse errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QuantityErrorKind {
    /// Not shaped like a quantity (Go's `ErrFormatWrong`): empty, whitespace, a second decimal
    /// point, a character no suffix has (`20GB`, `lots`).
    Format,
    /// Shaped like a suffix but not one (Go's `ErrSuffix`): `1i`, `1K`, `1e`, `1e+`.
    Suffix,
    /// No digit where Kubernetes' exact path needs one (Go's `ErrNumeric`): `Pi`, `e-10`.
    Numeric,
    /// A decimal exponent outside int32 (`1e2147483648`; Go's `ErrSuffix`), or a value whose
    /// canonical exponent would be outside int32 (`1000e2147483647`).
    ExponentOutOfRange,
}

/// A parse failure before the text is attached.
type Failure = (QuantityErrorKind, &'static str);

const UNKNOWN_SUFFIX: Failure = (QuantityErrorKind::Suffix, "unknown suffix");
const EXPONENT_OUT_OF_RANGE: Failure = (
    QuantityErrorKind::ExponentOutOfRange,
    "exponent out of range",
);

impl QuantityError {
    fn new(text: &str, (kind, reason): Failure) -> Self {
        let cut = (0..=ECHO_LIMIT.min(text.len()))
            .rev()
            .find(|&at| text.is_char_boundary(at))
            .and_then(|at| text.get(..at))
            .unwrap_or_default();
        Self {
            text: cut.to_owned(),
            len: text.len(),
            reason,
            kind,
        }
    }
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.text.len() < self.len {
            write!(
                f,
                "invalid quantity {:?}... ({} bytes): {}",
                self.text, self.len, self.reason
            )
        } else {
            write!(f, "invalid quantity {:?}: {}", self.text, self.reason)
        }
    }
}

impl std::error::Error for QuantityError {}

/// Parses as Go's `ParseQuantity` (see the module documentation).
impl FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse(text).map_err(|failure| QuantityError::new(text, failure))
    }
}

fn parse(text: &str) -> Result<Quantity, Failure> {
    if text.is_empty() {
        return Err((QuantityErrorKind::Format, "empty"));
    }
    let scan = Scan::new(text)?;
    let suffix = Suffix::interpret(scan.suffix)?;
    let fast = scan.takes_fast_path(&suffix);
    if !fast && !scan.has_digit {
        return Err((QuantityErrorKind::Numeric, "no digits"));
    }
    let mut value = Decimal::from_text(scan.negative, scan.whole, scan.fraction, suffix.pow10)
        .ok_or(EXPONENT_OUT_OF_RANGE)?;
    value.mul_pow2(suffix.pow2);
    value.round_up_to_nano();
    let mut format = suffix.format;
    if format == Format::BinarySI {
        let cap = Decimal::from_u64(BINARY_CAP);
        if value.cmp_magnitude(&cap) == Ordering::Greater {
            value = Decimal {
                negative: value.negative,
                ..cap
            };
        }
        if !value.is_zero() && value.cmp_magnitude(&Decimal::from_u64(1)) == Ordering::Less {
            format = Format::DecimalSI;
        }
    }
    if i32::try_from(value.canonical_exponent()).is_err() {
        return Err(EXPONENT_OUT_OF_RANGE);
    }
    let verbatim = (text == "0" || fast && scan.reused_by_go(&suffix)).then(|| text.into());
    Ok(Quantity {
        value,
        format,
        verbatim,
    })
}

/// A text split as Go's `parseQuantityString` splits it.
struct Scan<'a> {
    negative: bool,
    /// The whole digits after the leading zeros (Go's `num`, which is `"0"` when this is empty).
    whole: &'a str,
    /// The digits after the decimal point (Go's `denom`).
    fraction: &'a str,
    /// Whether the number has a digit at all, leading zeros included.
    has_digit: bool,
    suffix: &'a str,
}

impl<'a> Scan<'a> {
    fn new(text: &'a str) -> Result<Self, Failure> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let significant = unsigned.trim_start_matches('0');
        let (whole, rest) = split_digits(significant);
        let (fraction, suffix, point) = match rest.strip_prefix('.') {
            Some(after) => {
                let (fraction, suffix) = split_digits(after);
                (fraction, suffix, true)
            }
            None => ("", rest, false),
        };
        let has_digit =
            significant.len() < unsigned.len() || !whole.is_empty() || !fraction.is_empty();
        let letters = suffix.trim_start_matches(|c| SUFFIX_LETTERS.contains(c));
        let exponent = letters.strip_prefix(['+', '-']).unwrap_or(letters);
        let (_, tail) = split_digits(exponent);
        match tail.chars().next() {
            None => Ok(Self {
                negative,
                whole,
                fraction,
                has_digit,
                suffix,
            }),
            Some(c) if c.is_whitespace() => Err((QuantityErrorKind::Format, "contains whitespace")),
            Some('.') if point => Err((QuantityErrorKind::Format, "more than one decimal point")),
            Some(_) if !has_digit => Err((QuantityErrorKind::Format, "no digits")),
            Some(_) => Err((QuantityErrorKind::Format, "unknown suffix")),
        }
    }

    /// Go's `num` length: the whole digits, or 1 for its `"0"`.
    fn whole_len(&self) -> usize {
        self.whole.len().max(1)
    }

    /// Whether Go's `ParseQuantity` takes its int64 fast path (`precision >= 0` and
    /// `scale >= Nano`), where a number without digits is zero and the text may be kept.
    fn takes_fast_path(&self, suffix: &Suffix) -> bool {
        let scale = i64::from(suffix.pow10).saturating_sub(len_i64(self.fraction.len()));
        (suffix.pow2 == 0 || self.fraction.is_empty())
            && self.whole_len().saturating_add(self.fraction.len()) <= suffix.fast_digits
            && scale >= NANO
    }

    /// Whether Go's fast path judges the text canonical and keeps it: for `BinarySI` when the
    /// number is no multiple of 8; otherwise when the scale is a multiple of 3 and the digits
    /// neither start with `0` nor end with `000`.
    fn reused_by_go(&self, suffix: &Suffix) -> bool {
        if suffix.pow2 > 0 {
            let rest = self.whole.bytes().fold(0_u8, |rest, digit| {
                rest.wrapping_mul(10)
                    .wrapping_add(digit.wrapping_sub(b'0'))
                    .wrapping_rem(8)
            });
            return rest != 0;
        }
        let scale = i64::from(suffix.pow10).saturating_sub(len_i64(self.fraction.len()));
        let shifted = format!("{}{}", self.whole, self.fraction);
        scale.rem_euclid(3) == 0 && !self.whole.is_empty() && !shifted.ends_with("000")
    }
}

/// `(leading ASCII digits, rest)`.
fn split_digits(text: &str) -> (&str, &str) {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    text.split_at_checked(digits).unwrap_or((text, ""))
}

/// A length as an i64 (lengths are far below `i64::MAX`).
fn len_i64(len: usize) -> i64 {
    i64::try_from(len).unwrap_or(i64::MAX)
}

/// What a suffix multiplies the number by, and how the quantity is then written.
struct Suffix {
    format: Format,
    pow10: i32,
    pow2: u32,
    /// The most digits Go's fast path takes with this suffix.
    fast_digits: usize,
}

impl Suffix {
    /// Go's `suffixer.interpret`, with the int32 check on decimal exponents.
    fn interpret(suffix: &str) -> Result<Self, Failure> {
        if let Some(&(_, pow10)) = DECIMAL_SUFFIXES.iter().find(|(s, _)| *s == suffix) {
            return Ok(Self::decimal(Format::DecimalSI, pow10));
        }
        if let Some(&(_, pow2, fast_digits)) = BINARY_SUFFIXES.iter().find(|(s, ..)| *s == suffix) {
            return Ok(Self {
                format: Format::BinarySI,
                pow10: 0,
                pow2,
                fast_digits,
            });
        }
        // Go wants at least one character after the `e`; `"".parse()` fails as Go's does.
        let exponent = suffix.strip_prefix(['e', 'E']).ok_or(UNKNOWN_SUFFIX)?;
        match exponent.parse::<i32>() {
            Ok(pow10) => Ok(Self::decimal(Format::DecimalExponent, pow10)),
            Err(e)
                if matches!(
                    e.kind(),
                    IntErrorKind::PosOverflow | IntErrorKind::NegOverflow
                ) =>
            {
                Err(EXPONENT_OUT_OF_RANGE)
            }
            Err(_) => Err(UNKNOWN_SUFFIX),
        }
    }

    const fn decimal(format: Format, pow10: i32) -> Self {
        Self {
            format,
            pow10,
            pow2: 0,
            fast_digits: FAST_DECIMAL_DIGITS,
        }
    }
}

/// An exact value: `± digits × 10^exponent`.
///
/// Normalised, so that equal values have equal fields: `digits` are ASCII digits without
/// leading or trailing zeros, and zero is no digits, exponent 0, not negative.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exponent: i64,
}

impl Decimal {
    const ZERO: Self = Self {
        negative: false,
        digits: Vec::new(),
        exponent: 0,
    };

    /// `± whole.fraction × 10^pow10`; `None` when the exponent overflows an i64.
    fn from_text(negative: bool, whole: &str, fraction: &str, pow10: i32) -> Option<Self> {
        let exponent = i64::from(pow10).checked_sub(i64::try_from(fraction.len()).ok()?)?;
        let mut digits = Vec::with_capacity(whole.len().saturating_add(fraction.len()));
        digits.extend_from_slice(whole.as_bytes());
        digits.extend_from_slice(fraction.as_bytes());
        let mut value = Self {
            negative,
            digits,
            exponent,
        };
        value.normalise();
        Some(value)
    }

    fn from_u64(n: u64) -> Self {
        let mut value = Self {
            negative: false,
            digits: n.to_string().into_bytes(),
            exponent: 0,
        };
        value.normalise();
        value
    }

    const fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    fn normalise(&mut self) {
        let leading = self.digits.iter().take_while(|&&d| d == b'0').count();
        self.digits.drain(..leading);
        let trailing = self.digits.iter().rev().take_while(|&&d| d == b'0').count();
        self.digits
            .truncate(self.digits.len().saturating_sub(trailing));
        self.exponent = self.exponent.saturating_add(len_i64(trailing));
        if self.digits.is_empty() {
            *self = Self::ZERO;
        }
    }

    /// Multiplies by `2^pow2` (`pow2 <= 60`), in one pass over the digits.
    fn mul_pow2(&mut self, pow2: u32) {
        let factor = 1_u64.checked_shl(pow2).unwrap_or(0);
        // Each step computes digit × factor + carry < 10 × 2^60 < 2^64, and the carry stays
        // below the factor.
        let mut carry = 0_u64;
        for digit in self.digits.iter_mut().rev() {
            let step = u64::from(digit.wrapping_sub(b'0'))
                .wrapping_mul(factor)
                .wrapping_add(carry);
            *digit = b'0'.wrapping_add((step % 10) as u8);
            carry = step / 10;
        }
        // The carry's digits go in front; a carry of 0 adds a leading zero, which goes.
        let mut head = carry.to_string().into_bytes();
        head.append(&mut self.digits);
        self.digits = head;
        self.normalise();
    }

    /// Rounds the magnitude up to a multiple of 10⁻⁹ (Go: `amount.Round(amount, Nano, RoundUp)`
    /// on the absolute value).
    fn round_up_to_nano(&mut self) {
        if self.exponent >= NANO {
            return;
        }
        // The digits at or above 10^-9; the ones below are not all zero (no trailing zero).
        let kept = len_i64(self.digits.len())
            .saturating_add(self.exponent)
            .saturating_sub(NANO);
        self.digits.truncate(usize::try_from(kept).unwrap_or(0));
        increment(&mut self.digits);
        self.exponent = NANO;
        self.normalise();
    }

    /// The power of ten of the leading digit, plus one (zero excluded).
    fn top(&self) -> i64 {
        len_i64(self.digits.len()).saturating_add(self.exponent)
    }

    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => self
                .top()
                .cmp(&other.top())
                .then_with(|| self.digits.cmp(&other.digits)),
        }
    }

    /// The magnitude rounded up to an integer; `None` beyond `u128`.
    fn magnitude_ceil(&self) -> Option<u128> {
        let whole_digits = usize::try_from(self.top()).unwrap_or(0);
        let mut acc = 0_u128;
        for digit in self.digits.iter().take(whole_digits) {
            acc = acc
                .checked_mul(10)?
                .checked_add(u128::from(digit.wrapping_sub(b'0')))?;
        }
        if self.exponent < 0 {
            // The last digit is below the point and not zero.
            acc = acc.checked_add(1)?;
        }
        for _ in 0..self.exponent {
            acc = acc.checked_mul(10)?;
        }
        Some(acc)
    }

    /// The exponent the canonical form writes: the largest multiple of 3 not above the
    /// exponent (Go's `AsCanonicalBytes`).
    fn canonical_exponent(&self) -> i64 {
        self.exponent.saturating_sub(self.exponent.rem_euclid(3))
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("0");
        }
        if self.negative {
            f.write_char('-')?;
        }
        for &digit in &self.digits {
            f.write_char(char::from(digit))?;
        }
        write!(f, "e{}", self.exponent)
    }
}

/// Adds one to a decimal digit string (empty is zero).
fn increment(digits: &mut Vec<u8>) {
    for digit in digits.iter_mut().rev() {
        if *digit == b'9' {
            *digit = b'0';
        } else {
            *digit = digit.wrapping_add(1);
            return;
        }
    }
    digits.insert(0, b'1');
}

impl Quantity {
    /// The spelling Kubernetes writes (Go's `String()`, what the API server stores): the parsed
    /// text itself where Kubernetes keeps it, else [`canonical_uncached`](Self::canonical_uncached).
    ///
    /// ```
    /// use pv_translate::quantity::Quantity;
    /// let q = |s: &str| s.parse::<Quantity>().unwrap().canonical();
    /// assert_eq!(q("1024Mi"), "1Gi");
    /// assert_eq!(q("0.5Gi"), "512Mi");
    /// assert_eq!(q("1000M"), "1G");
    /// assert_eq!(q("1.5"), "1500m");
    /// assert_eq!(q("+1"), "+1"); // kept as written, as Kubernetes does
    /// ```
    pub fn canonical(&self) -> String {
        self.verbatim
            .as_deref()
            .map_or_else(|| self.canonical_uncached(), str::to_owned)
    }

    /// The canonical form computed from the value and format (Go's `CanonicalizeBytes`),
    /// ignoring a kept text: what Kubernetes writes for this value after any arithmetic.
    ///
    /// ```
    /// use pv_translate::quantity::Quantity;
    /// let q: Quantity = "1.441".parse().unwrap();
    /// assert_eq!(q.canonical(), "1.441");
    /// assert_eq!(q.canonical_uncached(), "1441m");
    /// ```
    pub fn canonical_uncached(&self) -> String {
        let value = &self.value;
        if value.is_zero() {
            return "0".to_owned();
        }
        let sign = if value.negative { "-" } else { "" };
        if self.format == Format::BinarySI
            && let Some(mut n) = self.binary_integer()
        {
            let mut suffix = "";
            for (next, ..) in BINARY_SUFFIXES {
                if n % 1024 != 0 {
                    break;
                }
                n /= 1024;
                suffix = next;
            }
            return format!("{sign}{n}{suffix}");
        }
        // Down to a multiple of 3 (as `canonical_exponent`), with as many zeros more.
        let shift = value.exponent.rem_euclid(3);
        let exponent = value.exponent.saturating_sub(shift);
        let mut out = String::with_capacity(value.digits.len().saturating_add(16));
        out.push_str(sign);
        out.extend(value.digits.iter().map(|&d| char::from(d)));
        for _ in 0..shift {
            out.push('0');
        }
        let si = DECIMAL_SUFFIXES
            .iter()
            .find(|(_, pow10)| i64::from(*pow10) == exponent);
        match si {
            Some((suffix, _)) if self.format != Format::DecimalExponent => out.push_str(suffix),
            _ if exponent == 0 => {}
            _ => {
                let _ = write!(out, "e{exponent}");
            }
        }
        out
    }

    /// A `BinarySI` value Go writes with a binary suffix: an integer of magnitude 1024 or more.
    fn binary_integer(&self) -> Option<u64> {
        let value = &self.value;
        if value.exponent < 0 || value.cmp_magnitude(&Decimal::from_u64(1024)) == Ordering::Less {
            return None;
        }
        u64::try_from(value.magnitude_ceil()?).ok()
    }

    /// The format the quantity is written in (Go's `Quantity.Format`): the parsed suffix's,
    /// except `DecimalSI` for a binary value below 1 in magnitude.
    pub const fn format(&self) -> Format {
        self.format
    }

    /// The value rounded up to an integer (Go's `Value()` for a non-negative quantity), e.g. a
    /// number of bytes; `None` when negative or above `u128::MAX`.
    ///
    /// ```
    /// use pv_translate::quantity::Quantity;
    /// let bytes = |s: &str| s.parse::<Quantity>().unwrap().to_bytes_ceil();
    /// assert_eq!(bytes("1Gi"), Some(1 << 30));
    /// assert_eq!(bytes("1.5"), Some(2));
    /// assert_eq!(bytes("-1"), None);
    /// ```
    pub fn to_bytes_ceil(&self) -> Option<u128> {
        if self.value.negative {
            return None;
        }
        self.value.magnitude_ceil()
    }

    /// Whether the value is zero.
    pub const fn is_zero(&self) -> bool {
        self.value.is_zero()
    }

    /// Whether the value is below zero.
    pub const fn is_negative(&self) -> bool {
        self.value.negative
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl Eq for Quantity {}

impl Hash for Quantity {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// By value, as Go's `Cmp`.
impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.value.cmp(&other.value)
    }
}

/// Writes [`Quantity::canonical`].
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

impl fmt::Debug for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Quantity")
            .field("value", &format_args!("{}", self.value))
            .field("format", &self.format)
            .field("verbatim", &self.verbatim)
            .finish()
    }
}

/// The spelling Kubernetes stores for a quantity text ([`Quantity::canonical`]).
///
/// ```
/// use pv_translate::quantity::canonical;
/// assert_eq!(canonical("1024Mi").unwrap(), "1Gi");
/// assert!(canonical("20GB").is_err());
/// ```
///
/// # Errors
///
/// When the text is not a quantity.
pub fn canonical(text: &str) -> Result<String, QuantityError> {
    Ok(text.parse::<Quantity>()?.canonical())
}

/// Semantic equality of two quantity strings: equal values, or (when either does not parse)
/// equal text.
pub fn same_quantity(a: &str, b: &str) -> bool {
    match (a.parse::<Quantity>(), b.parse::<Quantity>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashSet};

    use Format::{BinarySI as B, DecimalExponent as DE, DecimalSI as DSI};

    fn q(text: &str) -> Quantity {
        text.parse()
            .unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
    }

    fn canon(text: &str) -> String {
        q(text).canonical()
    }

    fn err(text: &str) -> QuantityError {
        match text.parse::<Quantity>() {
            Ok(q) => panic!("{text:?} should not parse, got {q:?}"),
            Err(e) => e,
        }
    }

    /// `mantissa × 10^exponent` in `format`, built without parsing or rounding: Go's
    /// `decQuantity` / `intQuantity` / `NewScaledQuantity` test helpers.
    fn exact(mantissa: i128, exponent: i64, format: Format) -> Quantity {
        let mut value = Decimal {
            negative: mantissa < 0,
            digits: mantissa.unsigned_abs().to_string().into_bytes(),
            exponent,
        };
        value.normalise();
        Quantity {
            value,
            format,
            verbatim: None,
        }
    }

    fn kept(text: &str) -> bool {
        q(text).verbatim.is_some()
    }

    // ---- Go: TestQuantityParse ------------------------------------------------------------

    /// `(input, mantissa, exponent, format)`: the table of Go's `TestQuantityParse`.
    const GO_PARSE: &[(&str, i128, i64, Format)] = &[
        ("0", 0, 0, DSI),
        ("0n", 0, 0, DSI),
        ("0u", 0, 0, DSI),
        ("0m", 0, 0, DSI),
        ("0Ki", 0, 0, B),
        ("0k", 0, 0, DSI),
        ("0Mi", 0, 0, B),
        ("0M", 0, 0, DSI),
        ("0Gi", 0, 0, B),
        ("0G", 0, 0, DSI),
        ("0Ti", 0, 0, B),
        ("0T", 0, 0, DSI),
        // Quantity less numbers are allowed
        ("1", 1, 0, DSI),
        // Binary suffixes
        ("1Ki", 1024, 0, B),
        ("8Ki", 8 * 1024, 0, B),
        ("7Mi", 7 << 20, 0, B),
        ("6Gi", 6 << 30, 0, B),
        ("5Ti", 5 << 40, 0, B),
        ("4Pi", 4 << 50, 0, B),
        ("3Ei", 3 << 60, 0, B),
        ("10Ti", 10 << 40, 0, B),
        ("100Ti", 100 << 40, 0, B),
        // Decimal suffixes
        ("5n", 5, -9, DSI),
        ("4u", 4, -6, DSI),
        ("3m", 3, -3, DSI),
        ("9", 9, 0, DSI),
        ("8k", 8, 3, DSI),
        ("50k", 5, 4, DSI),
        ("7M", 7, 6, DSI),
        ("6G", 6, 9, DSI),
        ("5T", 5, 12, DSI),
        ("40T", 4, 13, DSI),
        ("300T", 3, 14, DSI),
        ("2P", 2, 15, DSI),
        ("1E", 1, 18, DSI),
        // Decimal exponents
        ("1E-3", 1, -3, DE),
        ("1e3", 1, 3, DE),
        ("1E6", 1, 6, DE),
        ("1e9", 1, 9, DE),
        ("1E12", 1, 12, DE),
        ("1e15", 1, 15, DE),
        ("1E18", 1, 18, DE),
        // Nonstandard but still parsable
        ("1e14", 1, 14, DE),
        ("1e13", 1, 13, DE),
        ("1e3", 1, 3, DE),
        ("100.035k", 100_035, 0, DSI),
        // Things that look like floating point
        ("0.001", 1, -3, DSI),
        ("0.0005k", 5, -1, DSI),
        ("0.005", 5, -3, DSI),
        ("0.05", 5, -2, DSI),
        ("0.5", 5, -1, DSI),
        ("0.00050k", 5, -1, DSI),
        ("0.00500", 5, -3, DSI),
        ("0.05000", 5, -2, DSI),
        ("0.50000", 5, -1, DSI),
        ("0.5e0", 5, -1, DE),
        ("0.5e-1", 5, -2, DE),
        ("0.5e-2", 5, -3, DE),
        ("0.5e0", 5, -1, DE),
        ("10.035M", 10_035, 3, DSI),
        ("1.2e3", 12, 2, DE),
        ("1.3E+6", 13, 5, DE),
        ("1.40e9", 14, 8, DE),
        ("1.53E12", 153, 10, DE),
        ("1.6e15", 16, 14, DE),
        ("1.7E18", 17, 17, DE),
        ("9.01", 901, -2, DSI),
        ("8.1k", 81, 2, DSI),
        ("7.123456M", 7_123_456, 0, DSI),
        ("6.987654321G", 6_987_654_321, 0, DSI),
        ("5.444T", 5444, 9, DSI),
        ("40.1T", 401, 11, DSI),
        ("300.2T", 3002, 11, DSI),
        ("2.5P", 25, 14, DSI),
        ("1.01E", 101, 16, DSI),
        // Things that saturate/round
        ("3.001n", 4, -9, DSI),
        ("1.1E-9", 2, -9, DE),
        ("0.0000000001", 1, -9, DSI),
        ("0.0000000005", 1, -9, DSI),
        ("0.00000000050", 1, -9, DSI),
        ("0.5e-9", 1, -9, DE),
        ("0.9n", 1, -9, DSI),
        ("0.00000012345", 124, -9, DSI),
        ("0.00000012354", 124, -9, DSI),
        ("9Ei", i64::MAX as i128, 0, B),
        ("9223372036854775807Ki", i64::MAX as i128, 0, B),
        ("12E", 12, 18, DSI),
        // We'll accept fractional binary stuff, too.
        ("100.035Ki", 10_243_584, -2, B),
        ("0.5Mi", 524_288, 0, B),
        ("0.05Gi", 536_870_912, -1, B),
        ("0.025Ti", 274_877_906_944, -1, B),
        // Things written by trolls
        ("0.000000000001Ki", 2, -9, DSI), // rounds up, changes format
        (".001", 1, -3, DSI),
        (".0001k", 100, -3, DSI),
        ("1.", 1, 0, DSI),
        ("1.G", 1, 9, DSI),
    ];

    /// Go: `TestQuantityParse`, the table as given, negated and with an explicit `+`.
    #[test]
    fn go_quantity_parse_table() {
        for &(input, mantissa, exponent, format) in GO_PARSE {
            let want = exact(mantissa, exponent, format);
            for (text, want_value) in [
                (input.to_owned(), want.clone()),
                (format!("+{input}"), want.clone()),
                (format!("-{input}"), exact(-mantissa, exponent, format)),
            ] {
                let got = q(&text);
                assert_eq!(got, want_value, "{text}");
                assert_eq!(got.cmp(&want_value), Ordering::Equal, "{text}");
                assert_eq!(got.format(), format, "{text}");
            }
        }
    }

    /// Go: `TestQuantityParse`, the invalid inputs (and the empty string).
    #[test]
    fn go_quantity_parse_invalid() {
        for text in [
            "", "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-",
            // trailing whitespace is forbidden
            " 1", "1 ",
        ] {
            err(text);
        }
    }

    /// Go: `TestParseQuantityString` (the scanner).
    #[test]
    fn go_parse_quantity_string() {
        for (input, negative, num, denom, suffix) in [
            ("0.025Ti", false, "0", "025", "Ti"),
            ("1.025Ti", false, "1", "025", "Ti"),
            ("-1.025Ti", true, "1", "025", "Ti"),
            (".", false, "0", "", ""),
            ("-.", true, "0", "", ""),
            ("1E-3", false, "1", "", "E-3"),
        ] {
            let scan = Scan::new(input).unwrap();
            let whole = if scan.whole.is_empty() {
                "0"
            } else {
                scan.whole
            };
            assert_eq!(
                (scan.negative, whole, scan.fraction, scan.suffix),
                (negative, num, denom, suffix),
                "{input}"
            );
            assert_eq!(scan.whole_len(), num.len(), "{input}");
            q(input);
        }
    }

    // ---- Go: TestQuantityString, TestQuantityParseEmit, TestQuantityNeg --------------------

    /// Go: `TestQuantityString`: `(value, format, canonical, an alternate spelling)`.
    #[test]
    fn go_quantity_string() {
        let table: &[(i128, i64, Format, &str, &str)] = &[
            (1 << 30, 0, B, "1Gi", "1024Mi"),
            (300 << 20, 0, B, "300Mi", "307200Ki"),
            (6 * 1024, 0, B, "6Ki", ""),
            (1001 << 30, 0, B, "1001Gi", "1025024Mi"),
            (1 << 40, 0, B, "1Ti", "1024Gi"),
            (5, 0, B, "5", "5000m"),
            (500, -3, B, "500m", "0.5"),
            (1, 9, DSI, "1G", "1000M"),
            (1000, 6, DSI, "1G", "0.001T"),
            (1_000_000, 3, DSI, "1G", ""),
            (1_000_000_000, 0, DSI, "1G", ""),
            (1, -3, DSI, "1m", "1000u"),
            (80, -3, DSI, "80m", ""),
            (1080, -3, DSI, "1080m", "1.08"),
            (108, -2, DSI, "1080m", "1080000000n"),
            (10800, -4, DSI, "1080m", ""),
            (300, 6, DSI, "300M", ""),
            (1, 12, DSI, "1T", ""),
            (1_234_567, 6, DSI, "1234567M", ""),
            (1_234_567, -3, B, "1234567m", ""),
            (3, 3, DSI, "3k", ""),
            (1025, 0, B, "1025", ""),
            (0, 0, DSI, "0", ""),
            (0, 0, B, "0", ""),
            (1, 9, DE, "1e9", ".001e12"),
            (1, -3, DE, "1e-3", "0.001e0"),
            (1, -9, DE, "1e-9", "1000e-12"),
            (80, -3, DE, "80e-3", ""),
            (300, 6, DE, "300e6", ""),
            (1, 12, DE, "1e12", ""),
            (1, 3, DE, "1e3", ""),
            (3, 3, DE, "3e3", ""),
            (3, 3, DSI, "3k", ""),
            (0, 0, DE, "0", "00"),
            (1, -9, DSI, "1n", ""),
            (80, -9, DSI, "80n", ""),
            (1080, -9, DSI, "1080n", ""),
            (108, -8, DSI, "1080n", ""),
            (10800, -10, DSI, "1080n", ""),
            (1, -6, DSI, "1u", ""),
            (80, -6, DSI, "80u", ""),
            (1080, -6, DSI, "1080u", ""),
        ];
        for &(mantissa, exponent, format, expect, alternate) in table {
            let value = exact(mantissa, exponent, format);
            assert_eq!(value.canonical_uncached(), expect, "{value:?}");
            assert_eq!(value.canonical(), expect, "{value:?}");
            // "did not copy canonical string on parse"
            assert_eq!(q(expect).verbatim.as_deref(), Some(expect));
            assert_eq!(q(expect), value);
            if !alternate.is_empty() {
                assert!(!kept(alternate), "{alternate}: unexpected nested string");
                assert_eq!(canon(alternate), expect, "{alternate}");
            }
            if mantissa != 0 {
                let negated = exact(-mantissa, exponent, format);
                assert_eq!(negated.canonical_uncached(), format!("-{expect}"));
            }
        }
    }

    /// Go: `TestQuantityParseEmit`, and its negated inputs.
    #[test]
    fn go_quantity_parse_emit() {
        for (input, expect) in [
            ("1Ki", "1Ki"),
            ("1Mi", "1Mi"),
            ("1Gi", "1Gi"),
            ("1024Mi", "1Gi"),
            ("1000M", "1G"),
            (".001Ki", "1024m"),
            (".000001Ki", "1024u"),
            (".000000001Ki", "1024n"),
            (".000000000001Ki", "2n"),
        ] {
            assert_eq!(canon(input), expect, "{input}");
            assert_eq!(
                canon(&format!("-{input}")),
                format!("-{expect}"),
                "-{input}"
            );
        }
    }

    /// Go: `TestQuantityNeg`.
    #[test]
    fn go_quantity_neg() {
        assert_eq!(exact(-901, -2, DSI).canonical(), "-9010m");
        assert_eq!(canon("-9.01"), "-9010m");
    }

    /// Go: `TestQuantityParseZero`, `TestQuantityCanocicalizeZero`.
    #[test]
    fn go_quantity_zero() {
        assert_eq!(canon("0"), "0");
        assert!(kept("0"));
        assert_eq!(exact(0, -3, DSI).canonical(), "0");
        assert_eq!(exact(0, 0, B).canonical(), "0");
    }

    // ---- Go: TestQuantityCmp, TestQuantityCmpInt64AndDec ------------------------------------

    /// Go: `TestQuantityCmp`.
    #[test]
    fn go_quantity_cmp() {
        for (x, y, want) in [
            ("0", "0", Ordering::Equal),
            ("100m", "50m", Ordering::Greater),
            ("50m", "100m", Ordering::Less),
            ("10000T", "100Gi", Ordering::Greater),
        ] {
            assert_eq!(q(x).cmp(&q(y)), want, "{x} {y}");
            assert_eq!(q(y).cmp(&q(x)), want.reverse(), "{y} {x}");
        }
    }

    /// Go: `TestQuantityCmpInt64AndDec` (values built without rounding, as Go's
    /// `intQuantity`).
    #[test]
    fn go_quantity_cmp_int64_and_dec() {
        let max = i128::from(i64::MAX);
        let min = i128::from(i64::MIN);
        let e18 = 1_000_000_000_000_000_000_i128;
        type Row = ((i128, i64), (i128, i64), Ordering);
        let table: &[Row] = &[
            ((901, -2), (901, -2), Ordering::Equal),
            ((90, -1), (901, -2), Ordering::Less),
            ((901, -2), (900, -2), Ordering::Greater),
            ((0, 0), (0, 0), Ordering::Equal),
            ((0, 1), (0, -1), Ordering::Equal),
            ((0, -1), (0, 1), Ordering::Equal),
            ((800, -3), (1, 0), Ordering::Less),
            ((800, -3), (79, -2), Ordering::Greater),
            ((max, 0), (1, -1), Ordering::Greater),
            ((max, 1), (1, 0), Ordering::Greater),
            ((max, 1), (1, 1), Ordering::Greater),
            ((max, 1), (0, 1), Ordering::Greater),
            ((max, -16), (1, 3), Ordering::Less),
            ((min, 0), (0, 0), Ordering::Less),
            ((min, -18), (-1, 0), Ordering::Less),
            ((min, -19), (-1, 0), Ordering::Greater),
            ((e18, -17), (1, 1), Ordering::Equal),
            ((e18, -17), (-10, 0), Ordering::Greater),
            ((-e18, -17), (-10, 0), Ordering::Equal),
            ((e18, -17), (1, 0), Ordering::Greater),
            ((e18 + 1, -17), (1, 1), Ordering::Greater),
            ((e18 - 1, -17), (1, 1), Ordering::Less),
        ];
        for &((am, ae), (bm, be), want) in table {
            let (a, b) = (exact(am, ae, DSI), exact(bm, be, DSI));
            assert_eq!(a.cmp(&b), want, "{a:?} {b:?}");
            assert_eq!(b.cmp(&a), want.reverse(), "{b:?} {a:?}");
            assert_eq!(a.partial_cmp(&b), Some(want));
            assert_eq!(a == b, want == Ordering::Equal);
        }
    }

    // ---- Go: TestParseQuantity (int64 boundaries) -----------------------------------------

    /// Go: `TestParseQuantity`: `(input, exact value, String() when not the input)`.
    #[test]
    fn go_parse_quantity_int64_boundaries() {
        let table: &[(&str, &str, &str)] = &[
            // min/max 18 digits
            ("-999999999999999999", "-999999999999999999", ""),
            ("999999999999999999", "999999999999999999", ""),
            (
                "-999999999999999999.0",
                "-999999999999999999",
                "-999999999999999999",
            ),
            (
                "999999999999999999.0",
                "999999999999999999",
                "999999999999999999",
            ),
            (
                "-999999999999999999.1",
                "-999999999999999999.1",
                "-999999999999999999100m",
            ),
            (
                "999999999999999999.1",
                "999999999999999999.1",
                "999999999999999999100m",
            ),
            // min/max 19 digits
            ("-9999999999999999999", "-9999999999999999999", ""),
            ("9999999999999999999", "9999999999999999999", ""),
            ("-1E", "-1000000000000000000", ""),
            ("1E", "1000000000000000000", ""),
            ("-1000000000000000000", "-1000000000000000000", "-1E"),
            ("1000000000000000000", "1000000000000000000", "1E"),
            (
                "-9999999999999999999.0",
                "-9999999999999999999",
                "-9999999999999999999",
            ),
            (
                "9999999999999999999.0",
                "9999999999999999999",
                "9999999999999999999",
            ),
            ("-1.0E", "-1000000000000000000", "-1E"),
            ("1.0E", "1000000000000000000", "1E"),
            ("-1000000000000000000.0", "-1000000000000000000", "-1E"),
            ("1000000000000000000.0", "1000000000000000000", "1E"),
            (
                "-9999999999999999999000m",
                "-9999999999999999999",
                "-9999999999999999999",
            ),
            (
                "9999999999999999999000m",
                "9999999999999999999",
                "9999999999999999999",
            ),
            (
                "-9999999999999999999.1",
                "-9999999999999999999.1",
                "-9999999999999999999100m",
            ),
            (
                "9999999999999999999.1",
                "9999999999999999999.1",
                "9999999999999999999100m",
            ),
            (
                "-1.0000000000000000001E",
                "-1000000000000000000.1",
                "-1000000000000000000100m",
            ),
            (
                "1.0000000000000000001E",
                "1000000000000000000.1",
                "1000000000000000000100m",
            ),
            (
                "-1000000000000000000.1",
                "-1000000000000000000.1",
                "-1000000000000000000100m",
            ),
            (
                "1000000000000000000.1",
                "1000000000000000000.1",
                "1000000000000000000100m",
            ),
            (
                "-1.000000000000000001E",
                "-1000000000000000001",
                "-1000000000000000001",
            ),
            (
                "1.000000000000000001E",
                "1000000000000000001",
                "1000000000000000001",
            ),
            ("-1000000000000000001", "-1000000000000000001", ""),
            ("1000000000000000001", "1000000000000000001", ""),
            // min/max 20 digits
            ("-10E", "-10000000000000000000", ""),
            ("10E", "10000000000000000000", ""),
            ("-10000000000000000000", "-10000000000000000000", "-10E"),
            ("10000000000000000000", "10000000000000000000", "10E"),
            ("-10.0E", "-10000000000000000000", "-10E"),
            ("10.0E", "10000000000000000000", "10E"),
            ("-10000000000000000000.0", "-10000000000000000000", "-10E"),
            ("10000000000000000000.0", "10000000000000000000", "10E"),
            ("-10000000000000000000000m", "-10000000000000000000", "-10E"),
            ("10000000000000000000000m", "10000000000000000000", "10E"),
            (
                "-10.0000000000000000001E",
                "-10000000000000000000.1",
                "-10000000000000000000100m",
            ),
            (
                "10.0000000000000000001E",
                "10000000000000000000.1",
                "10000000000000000000100m",
            ),
            (
                "-10000000000000000000.1",
                "-10000000000000000000.1",
                "-10000000000000000000100m",
            ),
            (
                "10000000000000000000.1",
                "10000000000000000000.1",
                "10000000000000000000100m",
            ),
            (
                "-10.000000000000000001E",
                "-10000000000000000001",
                "-10000000000000000001",
            ),
            (
                "10.000000000000000001E",
                "10000000000000000001",
                "10000000000000000001",
            ),
            ("-10000000000000000001", "-10000000000000000001", ""),
            ("10000000000000000001", "10000000000000000001", ""),
            // min/max int64 - 1
            ("-9223372036854775809", "-9223372036854775809", ""),
            ("9223372036854775806", "9223372036854775806", ""),
            (
                "-9223372036854775809.0",
                "-9223372036854775809",
                "-9223372036854775809",
            ),
            (
                "9223372036854775806.0",
                "9223372036854775806",
                "9223372036854775806",
            ),
            (
                "-9223372036854775809000m",
                "-9223372036854775809",
                "-9223372036854775809",
            ),
            (
                "9223372036854775806000m",
                "9223372036854775806",
                "9223372036854775806",
            ),
            (
                "-9223372036854775809.1",
                "-9223372036854775809.1",
                "-9223372036854775809100m",
            ),
            (
                "9223372036854775806.1",
                "9223372036854775806.1",
                "9223372036854775806100m",
            ),
            // min/max int64
            ("-9223372036854775808", "-9223372036854775808", ""),
            ("9223372036854775807", "9223372036854775807", ""),
            (
                "-9223372036854775808.0",
                "-9223372036854775808",
                "-9223372036854775808",
            ),
            (
                "9223372036854775807.0",
                "9223372036854775807",
                "9223372036854775807",
            ),
            (
                "-9223372036854775808000m",
                "-9223372036854775808",
                "-9223372036854775808",
            ),
            (
                "9223372036854775807000m",
                "9223372036854775807",
                "9223372036854775807",
            ),
            (
                "-9223372036854775808.1",
                "-9223372036854775808.1",
                "-9223372036854775808100m",
            ),
            (
                "9223372036854775807.1",
                "9223372036854775807.1",
                "9223372036854775807100m",
            ),
            // min/max int64 + 1
            ("-9223372036854775807", "-9223372036854775807", ""),
            ("9223372036854775808", "9223372036854775808", ""),
            (
                "-9223372036854775807.0",
                "-9223372036854775807",
                "-9223372036854775807",
            ),
            (
                "9223372036854775808.0",
                "9223372036854775808",
                "9223372036854775808",
            ),
            (
                "-9223372036854775807000m",
                "-9223372036854775807",
                "-9223372036854775807",
            ),
            (
                "9223372036854775808000m",
                "9223372036854775808",
                "9223372036854775808",
            ),
            (
                "-9223372036854775807.1",
                "-9223372036854775807.1",
                "-9223372036854775807100m",
            ),
            (
                "9223372036854775808.1",
                "9223372036854775808.1",
                "9223372036854775808100m",
            ),
        ];
        for &(input, value, string) in table {
            assert_eq!(q(input), q(value), "{input}");
            let want = if string.is_empty() { input } else { string };
            assert_eq!(canon(input), want, "{input}");
        }
    }

    // ---- Go: TestNewSet, TestMilliNewSet, TestNewScaledSet, TestScaledValue ------------------

    /// Go: `TestNewSet` (`NewQuantity(value, format)`), `TestMilliNewSet`
    /// (`NewMilliQuantity`), `TestNewScaledSet` (`NewScaledQuantity`); Go's invalid format
    /// writes as `DecimalExponent`.
    #[test]
    fn go_new_set() {
        let table: &[(i128, i64, Format, &str)] = &[
            (1, 0, DSI, "1"),
            (1000, 0, DSI, "1k"),
            (1_234_000, 0, DSI, "1234k"),
            (1024, 0, B, "1Ki"),
            (1_000_000, 0, DE, "1e6"),
            (1024 * 1024, 0, B, "1Mi"),
            (1, -3, DSI, "1m"),
            (1000, -3, DSI, "1"),
            (1_234_000, -3, DSI, "1234"),
            (1024, -3, B, "1024m"),
            (1_000_000, -3, DE, "1e3"),
            (1024 * 1024, -3, B, "1048576m"),
            (1, -9, DSI, "1n"),
            (1000, -9, DSI, "1u"),
            (1, -6, DSI, "1u"),
            (1000, -6, DSI, "1m"),
            (1, -3, DSI, "1m"),
            (1000, -3, DSI, "1"),
            (1, 0, DSI, "1"),
            (0, -9, DSI, "0"),
            (0, -6, DSI, "0"),
            (0, -3, DSI, "0"),
            (0, 0, DSI, "0"),
        ];
        for &(mantissa, exponent, format, expect) in table {
            let value = exact(mantissa, exponent, format);
            assert_eq!(value.canonical(), expect, "{value:?}");
            assert_eq!(q(expect), value, "round trip of {expect}");
        }
        // TestNewSet's round trip through Value().
        for (text, bytes) in [("1", 1), ("1k", 1000), ("1Ki", 1024), ("1e6", 1_000_000)] {
            assert_eq!(q(text).to_bytes_ceil(), Some(bytes), "{text}");
        }
    }

    /// Go: `TestScaledValue`, the rows converting to scale 0 (`Value()`).
    #[test]
    fn go_scaled_value_to_units() {
        for text in ["1n", "1u", "1m", "1"] {
            assert_eq!(q(text).to_bytes_ceil(), Some(1), "{text}");
        }
    }

    // ---- Go (kubernetes master): golden, sub-nano, Cmp overflow, suffix, policy tests --------

    /// Go: `TestQuantitySerializationGolden` and `TestQuantitySerializationCacheAgreement`
    /// (quantity_golden_test.go): `(input, String(), String() without the kept text)`.
    #[test]
    fn go_serialization_golden() {
        for (input, string, uncached) in [
            ("1", "1", "1"),
            ("-1", "-1", "-1"),
            ("1Ki", "1Ki", "1Ki"),
            ("1024Mi", "1Gi", "1Gi"),
            ("1000M", "1G", "1G"),
            ("1e3", "1e3", "1e3"),
            ("0.1", "100m", "100m"),
            ("0.000000000000001", "1n", "1n"),
            ("1.441", "1.441", "1441m"),
            ("1.000001", "1.000001", "1000001u"),
            ("1.000000001", "1.000000001", "1000000001n"),
            ("1.5", "1500m", "1500m"),
            (
                "9223372036854775807",
                "9223372036854775807",
                "9223372036854775807",
            ),
            (
                "9223372036854775808",
                "9223372036854775808",
                "9223372036854775808",
            ),
            (
                "18446744073709551616",
                "18446744073709551616",
                "18446744073709551616",
            ),
            ("1E", "1E", "1E"),
            ("100E", "100E", "100E"),
            ("1000E", "1e21", "1e21"),
            ("1e100", "10e99", "10e99"),
            ("8Ei", "9223372036854775807", "9223372036854775807"),
            ("-20Ei", "-9223372036854775807", "-9223372036854775807"),
            ("-9.5Gi", "-9728Mi", "-9728Mi"),
            (
                "-9.5000000001Gi",
                "-10200547328107374183n",
                "-10200547328107374183n",
            ),
        ] {
            assert_eq!(canon(input), string, "{input}");
            assert_eq!(q(input).canonical_uncached(), uncached, "{input}");
            assert_eq!(canon(string), string, "{input}: stable on re-read");
        }
        assert_eq!(exact(1441, -3, DSI).canonical(), "1441m");
        assert_eq!(
            exact(i128::from(i64::MIN), 0, DSI).canonical(),
            "-9223372036854775808"
        );
        assert_eq!(
            exact(i128::from(i64::MAX), 1, DSI).canonical(),
            "92233720368547758070"
        );
        assert_eq!(exact(1, 21, DSI).canonical(), "1e21");
    }

    /// Go: `TestParseQuantitySubNanoRoundsUp`, `TestParseQuantitySubNanoMatchesRound`.
    #[test]
    fn go_sub_nano_rounds_up() {
        for (input, want) in [
            ("1e-2147483647", "1n"),
            ("-1e-2147483647", "-1n"),
            ("1e-100", "1n"),
            ("-1e-100", "-1n"),
            ("1e-10", "1n"),
            ("9e-10", "1n"),
            ("-9e-10", "-1n"),
            ("1e-9", "1n"),
            ("-1e-9", "-1n"),
            ("2e-9", "2n"),
            ("15e-10", "2n"),
            ("1000000000000000000000e-30", "1n"),
            ("1000000000000000000001e-30", "2n"),
            ("999999999999999999999e-30", "1n"),
            ("0e-2147483647", "0"),
            ("0.0e-100", "0"),
            ("0.00000000000000000000001Ki", "1n"),
        ] {
            assert_eq!(q(input), q(want), "{input}");
        }
        for (input, want, format) in [
            ("1e-100", "1e-9", DE),
            ("0.0000000000001", "1n", DSI),
            ("-0.0000000000001", "-1n", DSI),
            ("0.00000000000000000000001Ki", "1n", DSI),
        ] {
            assert_eq!((canon(input), q(input).format()), (want.to_owned(), format));
        }
    }

    /// Go: `TestCmpLargeScaleDifference`.
    #[test]
    fn go_cmp_large_scale_difference() {
        for (a, b, want) in [
            ("1e2147483647", "1n", Ordering::Greater),
            ("1n", "1e2147483647", Ordering::Less),
            ("1e2147483647", "500m", Ordering::Greater),
            ("1e2147483647", "1", Ordering::Greater),
            ("-1e2147483647", "1n", Ordering::Less),
            ("-1e2147483647", "-1n", Ordering::Less),
            ("1e2147483647", "1e2147483647", Ordering::Equal),
            ("1e2147483647", "1e2147483646", Ordering::Greater),
            ("1e10000000", "1Gi", Ordering::Greater),
            ("1Gi", "1e10000000", Ordering::Less),
        ] {
            assert_eq!(q(a).cmp(&q(b)), want, "{a} {b}");
        }
    }

    /// Go: `TestDecimalExponentEdgeCases` (suffix_test.go, kubernetes#141203): a decimal
    /// exponent must fit an int32.
    #[test]
    fn go_decimal_exponent_edge_cases() {
        assert_eq!(q("1e14"), exact(1, 14, DE));
        assert_eq!(q("1E2147483647"), exact(1, 2_147_483_647, DE));
        assert_eq!(q("1E-2147483648"), q("1n"));
        for text in ["1E6024865272343", "1E2147483648", "1E-2147483649"] {
            assert_eq!(
                err(text).kind,
                QuantityErrorKind::ExponentOutOfRange,
                "{text}"
            );
        }
    }

    /// Go: `parseFrozenExamples` and the non-canonical spellings of `knownDeviations`
    /// (quantity_exact_policy_test.go): what Kubernetes accepts as zero, and the texts its
    /// fast path keeps as written.
    #[test]
    fn go_frozen_and_kept_spellings() {
        for text in [
            "-", "+", ".", "e3", "-e3", "-.", "k", "Ki", "Ti", "n", "E", "m",
        ] {
            let zero = q(text);
            assert!(zero.is_zero(), "{text}");
            assert_eq!(zero.canonical(), "0", "{text}");
        }
        for (text, uncached) in [
            ("5.", "5"),
            ("1.", "1"),
            ("+1", "1"),
            ("01", "1"),
            ("1E3", "1e3"),
            ("1e+21", "1e21"),
            ("1e0", "1"),
            ("123e0", "123"),
            ("1.Ki", "1Ki"),
            ("01Ki", "1Ki"),
            ("+1Gi", "1Gi"),
        ] {
            assert_eq!(canon(text), text);
            assert_eq!(q(text).canonical_uncached(), uncached, "{text}");
        }
        assert_eq!(canon(".5"), "500m");
    }

    // ---- The fast path's reuse of the text, at its boundaries --------------------------------

    #[test]
    fn kept_text_follows_go_fast_path() {
        // decimal: at most 18 digits, scale a multiple of 3 and at least -9, no leading 0,
        // no trailing 000
        assert!(kept("999999999999999999"));
        assert!(!kept("9999999999999999999"));
        assert!(kept("99999999999999999.9e4"));
        assert!(!kept("99999999999999999.9e2"));
        assert!(kept("1n"));
        assert!(kept("1.5e-8"));
        assert!(!kept("1.5e-6"));
        assert!(!kept("1.5e-11"));
        assert!(!kept("1.5e-10"));
        assert!(!kept("1000n"));
        assert!(!kept("0.5"));
        assert!(!kept("1.5"));
        assert!(kept("1.500k"));
        assert!(kept("0001"));
        assert!(kept("1e2147483646"));
        assert_eq!(canon("1e2147483647"), "10e2147483646");
        // binary: no fraction, whole digits within the suffix's precision, not a multiple of 8
        for (within, beyond) in [
            ("99999999999Ki", "999999999999Ki"),
            ("99999999Mi", "999999999Mi"),
            ("99999Gi", "999999Gi"),
            ("99Ti", "999Ti"),
        ] {
            assert!(kept(within), "{within}");
            assert!(!kept(beyond), "{beyond}");
            assert_eq!(canon(beyond), beyond, "{beyond}: canonical anyway");
        }
        assert!(!kept("1Pi"));
        assert!(!kept("8Ki"));
        assert!(!kept("16Ki"));
        assert!(!kept("1.5Ki"));
        assert!(!kept("0Ki"));
        assert!(kept("12Ki"));
        assert_eq!(canon("1024Ki"), "1Mi");
        assert_eq!(canon("8Ki"), "8Ki");
        assert_eq!(canon("1.5Ki"), "1536");
        assert_eq!(canon("1.1Ki"), "1126400m");
        assert_eq!(canon("0.5Ki"), "512");
        assert_eq!(canon("2.5Ki"), "2560");
        assert_eq!(canon("7Ei"), "7Ei");
        assert_eq!(canon("1536Mi"), "1536Mi");
        assert_eq!(canon("1048576Ki"), "1Gi");
    }

    // ---- Formats and values -------------------------------------------------------------------

    #[test]
    fn binary_format_is_kept_unless_below_one() {
        assert_eq!(q("0.5Ki").format(), B);
        assert_eq!(q("1Ki").format(), B);
        assert_eq!(q(".0001Ki").format(), DSI);
        assert_eq!(q("-.0001Ki").format(), DSI);
        assert_eq!(q("0Ki").format(), B);
        assert_eq!(q("1e3").format(), DE);
        assert_eq!(q("1k").format(), DSI);
    }

    #[test]
    fn decimal_si_beyond_e_is_written_with_an_exponent() {
        assert_eq!(canon("1000E"), "1e21");
        assert_eq!(canon("10000E"), "10e21");
        assert_eq!(canon("-1000000P"), "-1e21");
        assert_eq!(canon("1001E"), "1001E");
        assert_eq!(canon("100E"), "100E");
        assert_eq!(canon("1e21"), "1e21");
        assert_eq!(canon("1000e18"), "1e21");
        assert_eq!(canon("1000e-12"), "1e-9");
        assert_eq!(canon("1000e-3"), "1");
        assert_eq!(canon("1.0e3"), "1e3");
    }

    #[test]
    fn values_round_away_from_zero_to_nano() {
        assert_eq!(q("0.1n"), q("1n"));
        assert_eq!(q("-0.1n"), q("-1n"));
        assert_eq!(q("-3.001n"), q("-4n"));
        assert_eq!(q("0.9999999999"), q("1"));
        assert_eq!(q("0.9999999991"), q("1"));
        assert_eq!(q("0.9999999981"), q("999999999n"));
        assert_eq!(q("1.0000000000000000000001"), q("1000000001n"));
        assert_eq!(canon("0.0000000000000000000001e-5"), "1e-9");
        assert_eq!(q("0.000000000"), q("0"));
        assert_eq!(q("0.0000000000"), q("0"));
    }

    #[test]
    fn digits_without_a_number_where_go_needs_one() {
        for text in ["Pi", "Ei", "-Pi", ".Ei", "e-10", "E-10", "-.e-10", ".n0"] {
            let e = text.parse::<Quantity>().unwrap_err();
            if text == ".n0" {
                assert_eq!(e.kind, QuantityErrorKind::Suffix);
            } else {
                assert_eq!(e.kind, QuantityErrorKind::Numeric, "{text}");
                assert_eq!(e.reason, "no digits", "{text}");
            }
        }
        assert!(q("0Pi").is_zero());
        assert!(q(".0Ei").is_zero());
        assert!(q("0e-10").is_zero());
        assert_eq!(q("1Pi"), exact(1 << 50, 0, B));
        assert_eq!(q(".5Pi"), exact(1 << 49, 0, B));
    }

    #[test]
    fn errors_name_the_text_and_the_reason() {
        let e = err("lots");
        assert_eq!(e.to_string(), "invalid quantity \"lots\": no digits");
        assert_eq!(
            (e.kind, e.len, e.text.as_str()),
            (QuantityErrorKind::Format, 4, "lots")
        );
        assert_eq!(
            err("20GB").to_string(),
            "invalid quantity \"20GB\": unknown suffix"
        );
        assert_eq!(err("20GB").kind, QuantityErrorKind::Format);
        for (text, kind, reason) in [
            ("", QuantityErrorKind::Format, "empty"),
            (" 1", QuantityErrorKind::Format, "contains whitespace"),
            ("1\t", QuantityErrorKind::Format, "contains whitespace"),
            (
                "1.1.M",
                QuantityErrorKind::Format,
                "more than one decimal point",
            ),
            (
                "..",
                QuantityErrorKind::Format,
                "more than one decimal point",
            ),
            ("1e3.5", QuantityErrorKind::Format, "unknown suffix"),
            ("-x", QuantityErrorKind::Format, "no digits"),
            ("1i", QuantityErrorKind::Suffix, "unknown suffix"),
            ("1K", QuantityErrorKind::Suffix, "unknown suffix"),
            ("1e", QuantityErrorKind::Suffix, "unknown suffix"),
            ("1e+", QuantityErrorKind::Suffix, "unknown suffix"),
            ("1ee5", QuantityErrorKind::Suffix, "unknown suffix"),
            ("1Ki5", QuantityErrorKind::Suffix, "unknown suffix"),
            (
                "1e99999999999",
                QuantityErrorKind::ExponentOutOfRange,
                "exponent out of range",
            ),
            (
                "1e-99999999999",
                QuantityErrorKind::ExponentOutOfRange,
                "exponent out of range",
            ),
            (
                "1000e2147483647",
                QuantityErrorKind::ExponentOutOfRange,
                "exponent out of range",
            ),
            (
                "100E2147483647",
                QuantityErrorKind::ExponentOutOfRange,
                "exponent out of range",
            ),
        ] {
            let e = err(text);
            assert_eq!((e.kind, e.reason), (kind, reason), "{text:?}");
        }
        assert_eq!(canon("10E2147483647"), "100e2147483646");
        let e: Box<dyn std::error::Error> = Box::new(err("x"));
        assert_eq!(e.to_string(), "invalid quantity \"x\": no digits");
    }

    #[test]
    fn errors_repeat_at_most_100_bytes() {
        let long = "x".repeat(1000);
        let e = err(&long);
        assert_eq!((e.text.len(), e.len), (100, 1000));
        assert_eq!(
            e.to_string(),
            format!(
                "invalid quantity \"{}\"... (1000 bytes): no digits",
                "x".repeat(100)
            )
        );
        let exactly = "x".repeat(100);
        assert_eq!(err(&exactly).text, exactly);
        assert!(!err(&exactly).to_string().contains("bytes"));
        // cut at a character boundary: 33 three-byte characters are 99 bytes
        let e = err(&"€".repeat(40));
        assert_eq!((e.text.len(), e.len), (99, 120));
        assert_eq!(e.text, "€".repeat(33));
    }

    #[test]
    fn huge_inputs_are_linear() {
        let start = std::time::Instant::now();
        let big = format!("1{}", "0".repeat(1_000_000));
        let value = q(&big);
        assert_eq!(value, q("1e1000000"));
        assert_eq!(value.canonical(), "10e999999");
        assert_eq!(value.to_bytes_ceil(), None);
        let nines = q(&"9".repeat(1_000_000));
        assert!(nines < value);
        assert!(q(&format!("-{big}")) < nines);
        let tiny = q(&format!("0.{}1", "0".repeat(1_000_000)));
        assert_eq!(tiny, q("1n"));
        let binary = q(&format!("1.{}Ki", "1".repeat(1_000_000)));
        assert_eq!(binary.canonical(), "1137777777778n");
        let padded = format!("{}1", "0".repeat(1_000_000));
        assert_eq!(canon(&padded), padded);
        assert_eq!(q(&padded).canonical_uncached(), "1");
        let long_exponent = format!("1e{}5", "0".repeat(1_000_000));
        assert_eq!(q(&long_exponent), q("100k"));
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn bytes_round_up() {
        for (text, bytes) in [
            ("1Gi", Some(1_u128 << 30)),
            ("1.5", Some(2)),
            ("0.5", Some(1)),
            ("1n", Some(1)),
            ("123.000000001", Some(124)),
            ("0", Some(0)),
            ("-0", Some(0)),
            ("-1", None),
            ("-1n", None),
            ("1e38", Some(10_u128.pow(38))),
            ("1e39", None),
            ("340282366920938463463374607431768211455", Some(u128::MAX)),
            ("340282366920938463463374607431768211456", None),
            ("340282366920938463463374607431768211455.5", None),
            (
                "34028236692093846346337460743176821145.5",
                Some(u128::MAX / 10 + 1),
            ),
            ("9Ei", Some(i64::MAX as u128)),
            ("1e2147483647", None),
        ] {
            assert_eq!(q(text).to_bytes_ceil(), bytes, "{text}");
        }
    }

    #[test]
    fn order_and_hash_follow_the_value() {
        let set: HashSet<Quantity> = [
            "1Gi",
            "1024Mi",
            "1073741824",
            "1.073741824G",
            "1073741824e0",
        ]
        .into_iter()
        .map(q)
        .collect();
        assert_eq!(set.len(), 1);
        let sorted: Vec<String> = ["1Gi", "-1", "0", "1G", "1n", "-1n", "-2", "0.5"]
            .into_iter()
            .map(q)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|q| q.canonical())
            .collect();
        assert_eq!(sorted, ["-2", "-1", "-1n", "0", "1n", "500m", "1G", "1Gi"]);
        assert!(q("0.05") > q("0"));
        assert!(q("0") < q("0.05"));
        assert!(q("-0.05") < q("0"));
        assert!(q("100") > q("99.9"));
        assert!(q("1.25") > q("1.2"));
        assert!(q("-1.25") < q("-1.2"));
    }

    #[test]
    fn hashes_follow_the_value() {
        use std::hash::BuildHasher;
        let state = std::collections::hash_map::RandomState::new();
        let hash = |text: &str| state.hash_one(q(text));
        assert_eq!(hash("1Gi"), hash("1024Mi"));
        assert_eq!(hash("0.1n"), hash("1n"));
        assert_ne!(hash("1"), hash("2"));
        assert_ne!(hash("1"), hash("-1"));
        assert_ne!(hash("1"), hash("10"));
    }

    #[test]
    fn decimal_order_is_total() {
        let (a, b) = (q("1.5").value, q("2").value);
        assert_eq!(a.partial_cmp(&b), Some(Ordering::Less));
        assert_eq!(b.partial_cmp(&a), Some(Ordering::Greater));
        assert_eq!(a.partial_cmp(&a.clone()), Some(Ordering::Equal));
        assert_eq!(a.to_string(), "15e-1");
    }

    #[test]
    fn signs() {
        assert!(q("-1n").is_negative());
        assert!(!q("-0").is_negative());
        assert!(!q("1").is_negative());
        assert!(q("-0.0Ki").is_zero());
        assert!(!q("1n").is_zero());
    }

    #[test]
    fn display_and_debug() {
        assert_eq!(q("1024Mi").to_string(), "1Gi");
        assert_eq!(q("+1").to_string(), "+1");
        assert_eq!(
            format!("{:?}", q("1024Mi")),
            "Quantity { value: 1073741824e0, format: BinarySI, verbatim: None }"
        );
        assert_eq!(
            format!("{:?}", q("-1.5m")),
            "Quantity { value: -15e-4, format: DecimalSI, verbatim: None }"
        );
        assert_eq!(
            format!("{:?}", q("0")),
            "Quantity { value: 0, format: DecimalSI, verbatim: Some(\"0\") }"
        );
    }

    #[test]
    fn canonical_text_and_same_quantity() {
        assert_eq!(canonical("1024Mi").unwrap(), "1Gi");
        assert_eq!(canonical("0.5Gi").unwrap(), "512Mi");
        assert_eq!(canonical("1000M").unwrap(), "1G");
        assert_eq!(canonical("20GB").unwrap_err().reason, "unknown suffix");
        assert!(same_quantity("1Gi", "1024Mi"));
        assert!(same_quantity("0.1n", "1n"));
        assert!(!same_quantity("1Gi", "1G"));
        assert!(same_quantity("lots", "lots"));
        assert!(!same_quantity("lots", "1"));
        assert!(!same_quantity("1", "lots"));
    }

    #[test]
    fn arithmetic_helpers() {
        let mut digits = b"199".to_vec();
        increment(&mut digits);
        assert_eq!(digits, b"200");
        let mut digits = b"99".to_vec();
        increment(&mut digits);
        assert_eq!(digits, b"100");
        let mut digits = Vec::new();
        increment(&mut digits);
        assert_eq!(digits, b"1");
        let mut value = exact(5, 0, B).value;
        value.mul_pow2(60);
        assert_eq!(value, exact(5 << 60, 0, B).value);
        let mut value = exact(123_456_789, -3, B).value;
        value.mul_pow2(0);
        assert_eq!(value, exact(123_456_789, -3, B).value);
        assert_eq!(split_digits("12ab"), ("12", "ab"));
        assert_eq!(len_i64(7), 7);
        assert_eq!(exact(1, 4, DSI).value.canonical_exponent(), 3);
        assert_eq!(exact(1, -4, DSI).value.canonical_exponent(), -6);
        assert_eq!(exact(15, -1, DSI).value.top(), 1);
    }
}
