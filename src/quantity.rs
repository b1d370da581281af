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

/// Parses as Go's `ParseQuantity` (see the [module docs](self)).
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
        let exponent = suffix
            .strip_prefix(['e', 'E'])
            .filter(|exponent| !exponent.is_empty())
            .ok_or(UNKNOWN_SUFFIX)?;
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
        if factor <= 1 || self.is_zero() {
            return;
        }
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
        let mut head = Vec::new();
        while carry > 0 {
            head.push(b'0'.wrapping_add((carry % 10) as u8));
            carry /= 10;
        }
        head.reverse();
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
        let exponent = value.canonical_exponent();
        let mut out = String::with_capacity(value.digits.len().saturating_add(16));
        out.push_str(sign);
        out.extend(value.digits.iter().map(|&d| char::from(d)));
        for _ in exponent..value.exponent {
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
