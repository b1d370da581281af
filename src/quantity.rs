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
//!
//! # Cost
//!
//! A value whose digits fit a `u64` and whose exponent fits an `i32` (every everyday spelling:
//! `10Gi`, `1024Mi`, `500m`, `3k`) is computed and held in machine integers, and so is a kept
//! text of up to 22 bytes: parsing, comparing, [`same_quantity`], [`is_canonical`] and
//! [`Quantity::to_bytes_ceil`] allocate nothing, and [`canonical`] allocates only the `String`
//! it returns. Any other value takes the exact path above, with the same results.

use std::cmp::Ordering;
use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};
use std::num::IntErrorKind;
use std::ops::Deref;
use std::str::FromStr;

/// The most bytes of the text an error repeats.
const ECHO_LIMIT: usize = 100;

/// The power of ten of the smallest step a quantity keeps (Go's `Nano`).
const NANO: i64 = -9;

/// Go's cap on a `BinarySI` value's magnitude (`maxAllowed`, the largest int64).
const BINARY_CAP: u64 = i64::MAX.unsigned_abs();

/// The most decimal digits a `u64` has.
const U64_DIGITS: usize = 20;

/// The most bytes of a kept text held in the quantity itself rather than on the heap.
const INLINE_TEXT: usize = 22;

/// The bytes a canonical form is written in on the stack, before it is copied to a `String` of
/// its length: enough for any value held in machine integers (a sign, 20 digits, two zeros and
/// `e-2147483648`).
const SMALL_TEXT: usize = 40;

/// Whether a character is one of the letters a suffix is made of (Go's scanner).
const fn is_suffix_letter(c: char) -> bool {
    matches!(
        c,
        'e' | 'E' | 'i' | 'n' | 'u' | 'm' | 'k' | 'K' | 'M' | 'G' | 'T' | 'P'
    )
}

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
    value: Value,
    format: Format,
    /// The parsed text, when Kubernetes writes it back unchanged (Go's cached `s`).
    verbatim: Option<KeptText>,
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
        parse(text, Path::Any)
            .map(|parsed| parsed.keep(text))
            .map_err(|failure| QuantityError::new(text, failure))
    }
}

/// The arithmetic a parse may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    /// Machine integers where the value fits them, big decimals otherwise.
    Any,
    /// Big decimals only: the reference the machine integers are checked against.
    Exact,
}

/// A parsed text, before the text is kept.
struct Parsed {
    value: Value,
    format: Format,
    /// Whether Kubernetes writes the text back as it is (Go's cached `s`).
    kept: bool,
    /// Whether the value was computed in machine integers.
    small: bool,
}

impl Parsed {
    /// The quantity, holding `text` (the text parsed) when Kubernetes keeps it.
    fn keep(self, text: &str) -> Quantity {
        Quantity {
            value: self.value,
            format: self.format,
            verbatim: self.kept.then(|| KeptText::new(text)),
        }
    }
}

fn parse(text: &str, path: Path) -> Result<Parsed, Failure> {
    if text.is_empty() {
        return Err((QuantityErrorKind::Format, "empty"));
    }
    let scan = Scan::new(text)?;
    let suffix = Suffix::interpret(scan.suffix)?;
    let fast = scan.takes_fast_path(&suffix);
    if !fast && !scan.has_digit {
        return Err((QuantityErrorKind::Numeric, "no digits"));
    }
    let small = match path {
        Path::Any => Small::from_text(&scan, &suffix),
        Path::Exact => None,
    };
    let (value, format) = match small {
        Some(value) => {
            let (value, format) = value.with_format(suffix.format);
            (Value::Small(value), format)
        }
        None => {
            let (value, format) = exact_value(&scan, &suffix)?;
            let value = match path {
                Path::Any => Value::from_decimal(value),
                Path::Exact => Value::Big(Box::new(value)),
            };
            (value, format)
        }
    };
    if i32::try_from(value.canonical_exponent()).is_err() {
        return Err(EXPONENT_OUT_OF_RANGE);
    }
    Ok(Parsed {
        value,
        format,
        kept: text == "0" || fast && scan.reused_by_go(&suffix),
        small: small.is_some(),
    })
}

/// The value and format of a scanned text, in big decimals.
fn exact_value(scan: &Scan<'_>, suffix: &Suffix) -> Result<(Decimal, Format), Failure> {
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
    Ok((value, format))
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
        let letters = suffix.trim_start_matches(is_suffix_letter);
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
        // Whether the whole digits then the fraction's end with `000`.
        let zeros = (self.fraction.bytes().rev())
            .chain(self.whole.bytes().rev())
            .take(3)
            .filter(|&digit| digit == b'0')
            .count();
        scale.rem_euclid(3) == 0 && !self.whole.is_empty() && zeros < 3
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
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// A value whose digits fit a `u64` and whose exponent fits an `i32`: `± mantissa × 10^exponent`,
/// computed and compared in machine integers.
///
/// Normalised as [`Decimal`] is: the mantissa has no trailing zero, and zero is `0 × 10^0`, not
/// negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Small {
    negative: bool,
    mantissa: u64,
    exponent: i32,
}

impl Small {
    const ZERO: Self = Self::integer(0);
    const ONE: Self = Self::integer(1);
    const BINARY_CAP: Self = Self::integer(BINARY_CAP);

    const fn integer(mantissa: u64) -> Self {
        Self {
            negative: false,
            mantissa,
            exponent: 0,
        }
    }

    /// The value of a scanned text, as [`exact_value`] computes it; `None` when it, or a step
    /// on the way, does not fit machine integers.
    fn from_text(scan: &Scan<'_>, suffix: &Suffix) -> Option<Self> {
        let mut mantissa = 0_u64;
        // The zeros since the last other digit: they go to the exponent, not the mantissa.
        let mut zeros = 0_usize;
        for digit in scan.whole.bytes().chain(scan.fraction.bytes()) {
            let digit = u64::from(digit.wrapping_sub(b'0'));
            if digit == 0 {
                zeros = zeros.checked_add(1)?;
                continue;
            }
            mantissa = if mantissa == 0 {
                digit
            } else {
                let scale = pow10(zeros.checked_add(1)?)?;
                mantissa.checked_mul(scale)?.checked_add(digit)?
            };
            zeros = 0;
        }
        if mantissa == 0 {
            return Some(Self::ZERO);
        }
        let mut exponent = i64::from(suffix.pow10)
            .checked_sub(len_i64(scan.fraction.len()))?
            .checked_add(len_i64(zeros))?;
        mantissa = mantissa.checked_mul(1_u64.checked_shl(suffix.pow2)?)?;
        strip_zeros(&mut mantissa, &mut exponent)?;
        if exponent < NANO {
            // Up to a multiple of 10^-9: the digits below are not all zero (no trailing zero).
            let below = usize::try_from(NANO.checked_sub(exponent)?).ok();
            let kept = below
                .and_then(pow10)
                .and_then(|scale| mantissa.checked_div(scale))
                .unwrap_or(0);
            mantissa = kept.checked_add(1)?;
            exponent = NANO;
            strip_zeros(&mut mantissa, &mut exponent)?;
        }
        Some(Self {
            negative: scan.negative,
            mantissa,
            exponent: i32::try_from(exponent).ok()?,
        })
    }

    /// Go's cap on a `BinarySI` magnitude and its `DecimalSI` format below 1, as in
    /// [`exact_value`].
    fn with_format(self, format: Format) -> (Self, Format) {
        if format != Format::BinarySI {
            return (self, format);
        }
        // An integer cap: above it exactly when the magnitude rounded up is.
        let above = self
            .magnitude_ceil()
            .is_none_or(|n| n > u128::from(BINARY_CAP));
        let value = if above {
            Self {
                negative: self.negative,
                ..Self::BINARY_CAP
            }
        } else {
            self
        };
        if value.mantissa != 0 && value.cmp_magnitude(&Self::ONE) == Ordering::Less {
            (value, Format::DecimalSI)
        } else {
            (value, format)
        }
    }

    /// As [`Decimal::top`].
    fn top(&self) -> i64 {
        i64::from(digit_count(self.mantissa)).saturating_add(i64::from(self.exponent))
    }

    /// As [`Decimal::cmp_magnitude`]: the mantissas, the one with the larger exponent scaled to
    /// the other's exponent.
    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        let shift = i64::from(self.exponent).saturating_sub(i64::from(other.exponent));
        match usize::try_from(shift) {
            Ok(shift) => scaled(self.mantissa, shift).cmp(&u128::from(other.mantissa)),
            Err(_) => other.cmp_magnitude(self).reverse(),
        }
    }

    /// As [`Decimal::magnitude_ceil`].
    fn magnitude_ceil(&self) -> Option<u128> {
        let mantissa = u128::from(self.mantissa);
        if let Ok(exponent) = usize::try_from(self.exponent) {
            // A u64 times a u64 fits a u128 (and 10^exponent is 10^19 × 10^(exponent - 19)).
            return match pow10(exponent) {
                Some(scale) => Some(mantissa.wrapping_mul(u128::from(scale))),
                None => mantissa
                    .wrapping_mul(u128::from(pow10(19)?))
                    .checked_mul(u128::from(pow10(exponent.checked_sub(19)?)?)),
            };
        }
        let whole = usize::try_from(self.exponent.unsigned_abs())
            .ok()
            .and_then(pow10)
            .and_then(|scale| self.mantissa.checked_div(scale))
            .unwrap_or(0);
        // The last digit is below the point and not zero.
        u128::from(whole).checked_add(1)
    }

    /// As [`Value::binary_integer`] on a big decimal.
    fn binary_integer(&self) -> Option<u64> {
        if self.exponent < 0 {
            return None;
        }
        let n = u64::try_from(self.magnitude_ceil()?).ok()?;
        (n >= 1024).then_some(n)
    }
}

/// Moves the trailing zeros of `mantissa` (not zero) to `exponent`.
fn strip_zeros(mantissa: &mut u64, exponent: &mut i64) -> Option<()> {
    while *mantissa != 0 && mantissa.is_multiple_of(10) {
        *mantissa /= 10;
        *exponent = exponent.checked_add(1)?;
    }
    Some(())
}

/// The powers of ten a `u64` holds.
const POWERS_OF_10: [u64; U64_DIGITS] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
    10_000_000_000_000_000,
    100_000_000_000_000_000,
    1_000_000_000_000_000_000,
    10_000_000_000_000_000_000,
];

/// `10^n`, when it fits a `u64`.
fn pow10(n: usize) -> Option<u64> {
    POWERS_OF_10.get(n).copied()
}

/// How many decimal digits `n` has (none for zero).
fn digit_count(n: u64) -> u32 {
    n.checked_ilog10().map_or(0, |log| log.saturating_add(1))
}

/// `n × 10^shift`, or `u128::MAX` when that is above any `u64` (`n` not zero, `shift` above 19).
fn scaled(n: u64, shift: usize) -> u128 {
    u128::from(n).saturating_mul(pow10(shift).map_or(u128::MAX, u128::from))
}

/// The decimal digits of `n` (none for zero), written at the end of `buffer`.
fn write_digits(mut n: u64, buffer: &mut [u8; U64_DIGITS]) -> &[u8] {
    let mut start = buffer.len();
    for slot in buffer.iter_mut().rev() {
        if n == 0 {
            break;
        }
        *slot = b'0'.wrapping_add((n % 10) as u8);
        n /= 10;
        start = start.saturating_sub(1);
    }
    buffer.get(start..).unwrap_or_default()
}

/// ASCII digits as text.
fn ascii(digits: &[u8]) -> &str {
    std::str::from_utf8(digits).unwrap_or_default()
}

/// A quantity's value: in machine integers ([`Small`]) when it fits them, else as big decimal
/// digits ([`Decimal`], boxed: it is rare).
///
/// Both give the same answers, and a value compares, hashes and writes the same whichever way it
/// is held. Parsing holds a value as [`Small`] whenever it fits one.
#[derive(Debug, Clone)]
enum Value {
    Small(Small),
    Big(Box<Decimal>),
}

impl Value {
    /// A big decimal's value, as [`Small`] when it fits one.
    fn from_decimal(decimal: Decimal) -> Self {
        if decimal.is_zero() {
            return Self::Small(Small::ZERO);
        }
        let mantissa = (decimal.digits.len() <= U64_DIGITS)
            .then(|| ascii(&decimal.digits).parse::<u64>().ok())
            .flatten();
        match (mantissa, i32::try_from(decimal.exponent)) {
            (Some(mantissa), Ok(exponent)) => Self::Small(Small {
                negative: decimal.negative,
                mantissa,
                exponent,
            }),
            _ => Self::Big(Box::new(decimal)),
        }
    }

    const fn is_zero(&self) -> bool {
        match self {
            Self::Small(small) => small.mantissa == 0,
            Self::Big(decimal) => decimal.is_zero(),
        }
    }

    const fn is_negative(&self) -> bool {
        match self {
            Self::Small(small) => small.negative,
            Self::Big(decimal) => decimal.negative,
        }
    }

    fn exponent(&self) -> i64 {
        match self {
            Self::Small(small) => i64::from(small.exponent),
            Self::Big(decimal) => decimal.exponent,
        }
    }

    /// The digits, without leading or trailing zeros (none for zero); `buffer` holds a
    /// [`Small`]'s.
    fn digits<'a>(&'a self, buffer: &'a mut [u8; U64_DIGITS]) -> &'a [u8] {
        match self {
            Self::Small(small) => write_digits(small.mantissa, buffer),
            Self::Big(decimal) => &decimal.digits,
        }
    }

    /// As [`Decimal::top`].
    fn top(&self) -> i64 {
        match self {
            Self::Small(small) => small.top(),
            Self::Big(decimal) => decimal.top(),
        }
    }

    /// The exponent the canonical form writes: the largest multiple of 3 not above the
    /// exponent (Go's `AsCanonicalBytes`).
    fn canonical_exponent(&self) -> i64 {
        let exponent = self.exponent();
        exponent.saturating_sub(exponent.rem_euclid(3))
    }

    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Small(a), Self::Small(b)) => a.cmp_magnitude(b),
            (Self::Big(a), Self::Big(b)) => a.cmp_magnitude(b),
            _ => match (self.is_zero(), other.is_zero()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => self.top().cmp(&other.top()).then_with(|| {
                    let (mut a, mut b) = ([0; U64_DIGITS], [0; U64_DIGITS]);
                    self.digits(&mut a).cmp(other.digits(&mut b))
                }),
            },
        }
    }

    /// The magnitude rounded up to an integer; `None` beyond `u128`.
    fn magnitude_ceil(&self) -> Option<u128> {
        match self {
            Self::Small(small) => small.magnitude_ceil(),
            Self::Big(decimal) => decimal.magnitude_ceil(),
        }
    }

    /// A `BinarySI` value Go writes with a binary suffix: an integer of magnitude 1024 or more.
    fn binary_integer(&self) -> Option<u64> {
        match self {
            Self::Small(small) => small.binary_integer(),
            Self::Big(decimal) => {
                if decimal.exponent < 0
                    || decimal.cmp_magnitude(&Decimal::from_u64(1024)) == Ordering::Less
                {
                    return None;
                }
                u64::try_from(decimal.magnitude_ceil()?).ok()
            }
        }
    }

    /// Writes the canonical form in `format` (Go's `CanonicalizeBytes`, see
    /// [`Quantity::canonical_uncached`]).
    fn write_canonical(&self, format: Format, out: &mut impl fmt::Write) -> fmt::Result {
        if self.is_zero() {
            return out.write_str("0");
        }
        if self.is_negative() {
            out.write_char('-')?;
        }
        let mut buffer = [0; U64_DIGITS];
        if format == Format::BinarySI
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
            out.write_str(ascii(write_digits(n, &mut buffer)))?;
            return out.write_str(suffix);
        }
        // Down to a multiple of 3 (as `canonical_exponent`), with as many zeros more.
        let shift = self.exponent().rem_euclid(3);
        let exponent = self.exponent().saturating_sub(shift);
        out.write_str(ascii(self.digits(&mut buffer)))?;
        for _ in 0..shift {
            out.write_char('0')?;
        }
        let si = DECIMAL_SUFFIXES
            .iter()
            .find(|(_, pow10)| i64::from(*pow10) == exponent);
        match si {
            Some((suffix, _)) if format != Format::DecimalExponent => out.write_str(suffix),
            _ if exponent == 0 => Ok(()),
            _ => write!(out, "e{exponent}"),
        }
    }

    /// The canonical form in `format`, in a `String` of its exact length.
    fn canonical(&self, format: Format) -> String {
        let mut short = ShortText::default();
        match self.write_canonical(format, &mut short) {
            Ok(()) => short.as_str().to_owned(),
            Err(_) => {
                let mut out = String::new();
                let _ = self.write_canonical(format, &mut out);
                out
            }
        }
    }

    /// Whether the canonical form in `format` is `text`.
    fn is_written_as(&self, format: Format, text: &str) -> bool {
        let mut rest = Rest(text);
        self.write_canonical(format, &mut rest).is_ok() && rest.0.is_empty()
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Small(a), Self::Small(b)) => a == b,
            (Self::Big(a), Self::Big(b)) => a == b,
            _ => self.cmp(other) == Ordering::Equal,
        }
    }
}

impl Eq for Value {}

/// By the fields of the big decimal the value is, whichever way it is held.
impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut buffer = [0; U64_DIGITS];
        self.is_negative().hash(state);
        self.digits(&mut buffer).hash(state);
        self.exponent().hash(state);
    }
}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Value {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.is_negative(), other.is_negative()) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

/// `± digits e exponent`, or `0`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("0");
        }
        if self.is_negative() {
            f.write_char('-')?;
        }
        let mut buffer = [0; U64_DIGITS];
        f.write_str(ascii(self.digits(&mut buffer)))?;
        write!(f, "e{}", self.exponent())
    }
}

/// A text written on the stack, up to [`SMALL_TEXT`] bytes (more is an error).
struct ShortText {
    bytes: [u8; SMALL_TEXT],
    len: usize,
}

impl Default for ShortText {
    fn default() -> Self {
        Self {
            bytes: [0; SMALL_TEXT],
            len: 0,
        }
    }
}

impl ShortText {
    fn as_str(&self) -> &str {
        self.bytes
            .get(..self.len)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .unwrap_or_default()
    }
}

impl fmt::Write for ShortText {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let end = self.len.checked_add(text.len()).ok_or(fmt::Error)?;
        let slot = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// What remains of a text after what was written, each piece matching its start (a piece that
/// does not is an error).
struct Rest<'a>(&'a str);

impl fmt::Write for Rest<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.0 = self.0.strip_prefix(text).ok_or(fmt::Error)?;
        Ok(())
    }
}

/// A kept text: in the quantity itself up to [`INLINE_TEXT`] bytes, else on the heap.
#[derive(Clone)]
enum KeptText {
    Inline { len: u8, bytes: [u8; INLINE_TEXT] },
    Heap(Box<str>),
}

impl KeptText {
    fn new(text: &str) -> Self {
        let mut bytes = [0; INLINE_TEXT];
        match (u8::try_from(text.len()), bytes.get_mut(..text.len())) {
            (Ok(len), Some(slot)) => {
                slot.copy_from_slice(text.as_bytes());
                Self::Inline { len, bytes }
            }
            _ => Self::Heap(text.into()),
        }
    }
}

impl Deref for KeptText {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Self::Inline { len, bytes } => bytes
                .get(..usize::from(*len))
                .and_then(|bytes| std::str::from_utf8(bytes).ok())
                .unwrap_or_default(),
            Self::Heap(text) => text,
        }
    }
}

impl fmt::Debug for KeptText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
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
        self.value.canonical(self.format)
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
        if self.value.is_negative() {
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
        self.value.is_negative()
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
        match self.verbatim.as_deref() {
            Some(text) => f.write_str(text),
            None => self.value.write_canonical(self.format, f),
        }
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
    let parsed = parse(text, Path::Any).map_err(|failure| QuantityError::new(text, failure))?;
    if parsed.kept {
        return Ok(text.to_owned());
    }
    Ok(parsed.value.canonical(parsed.format))
}

/// Whether a quantity text is already the spelling Kubernetes stores for it: whether
/// [`canonical`] would return it unchanged. False for a text that does not parse.
///
/// Allocates nothing when the value fits machine integers (see the module documentation), so
/// that checking a quantity costs nothing when it needs no rewriting.
///
/// ```
/// use pv_translate::quantity::is_canonical;
/// assert!(is_canonical("1Gi"));
/// assert!(!is_canonical("1024Mi")); // stored as 1Gi
/// assert!(is_canonical("+1")); // kept as written, as Kubernetes does
/// assert!(!is_canonical("1.5")); // stored as 1500m
/// assert!(!is_canonical("20GB"));
/// ```
pub fn is_canonical(text: &str) -> bool {
    parse(text, Path::Any)
        .is_ok_and(|parsed| parsed.kept || parsed.value.is_written_as(parsed.format, text))
}

/// Semantic equality of two quantity strings: equal values, or (when either does not parse)
/// equal text.
pub fn same_quantity(a: &str, b: &str) -> bool {
    match (parse(a, Path::Any), parse(b, Path::Any)) {
        (Ok(x), Ok(y)) => x.value == y.value,
        _ => a == b,
    }
}

/// [`Quantity::from_str`] computed with big decimals only, never machine integers: the
/// reference the fast path is tested against. Its quantities compare, hash and write as any
/// other. Not part of the API.
///
/// # Errors
///
/// As [`Quantity::from_str`].
#[doc(hidden)]
pub fn parse_exact(text: &str) -> Result<Quantity, QuantityError> {
    parse(text, Path::Exact)
        .map(|parsed| parsed.keep(text))
        .map_err(|failure| QuantityError::new(text, failure))
}

/// Whether parsing `text` computes its value in machine integers (false for an error). Not part
/// of the API: for tests that count how often the fast path is taken.
#[doc(hidden)]
pub fn takes_fast_path(text: &str) -> bool {
    parse(text, Path::Any).is_ok_and(|parsed| parsed.small)
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
        Quantity {
            value: Value::from_decimal(decimal(mantissa, exponent)),
            format,
            verbatim: None,
        }
    }

    /// `mantissa × 10^exponent` as a big decimal, normalised.
    fn decimal(mantissa: i128, exponent: i64) -> Decimal {
        let mut value = Decimal {
            negative: mantissa < 0,
            digits: mantissa.unsigned_abs().to_string().into_bytes(),
            exponent,
        };
        value.normalise();
        value
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
        let mut value = decimal(5, 0);
        value.mul_pow2(60);
        assert_eq!(value, decimal(5 << 60, 0));
        let mut value = decimal(123_456_789, -3);
        value.mul_pow2(0);
        assert_eq!(value, decimal(123_456_789, -3));
        assert_eq!(split_digits("12ab"), ("12", "ab"));
        assert_eq!(len_i64(7), 7);
        assert_eq!(exact(1, 4, DSI).value.canonical_exponent(), 3);
        assert_eq!(exact(1, -4, DSI).value.canonical_exponent(), -6);
        assert_eq!(exact(15, -1, DSI).value.top(), 1);
    }

    // ---- The fast path: machine integers, checked against the exact path --------------------

    /// Texts around the fast path's limits: mantissas at the edges of 18 digits, `i64` and
    /// `u64`, fractions below nano, every kind of suffix, exponents at the edges of nano, `u64`,
    /// `u128` and `i32`.
    fn edge_texts() -> Vec<String> {
        let wholes = [
            "",
            "0",
            "1",
            "5",
            "8",
            "16",
            "125",
            "1024",
            "999999999999999999",
            "1000000000000000000",
            "9223372036854775807",
            "9223372036854775808",
            "18446744073709551615",
            "18446744073709551616",
            "100000000000000000000",
        ];
        let fractions = [
            None,
            Some(""),
            Some("5"),
            Some("000000001"),
            Some("0000000001"),
            Some("9999999999"),
            Some("0000000000000000000001"),
        ];
        let suffixes = [
            "",
            "n",
            "m",
            "k",
            "E",
            "Ki",
            "Gi",
            "Ei",
            "e-9",
            "e-10",
            "e-29",
            "e19",
            "e38",
            "e39",
            "e2147483647",
            "e-2147483648",
            "E+3",
        ];
        let mut texts = Vec::new();
        for sign in ["", "-"] {
            for whole in wholes {
                for fraction in fractions {
                    for suffix in suffixes {
                        texts.push(match fraction {
                            Some(fraction) => format!("{sign}{whole}.{fraction}{suffix}"),
                            None => format!("{sign}{whole}{suffix}"),
                        });
                    }
                }
            }
        }
        texts
    }

    fn hash_of(value: &Value) -> u64 {
        use std::hash::BuildHasher;
        std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default().hash_one(value)
    }

    /// Whether a value fits [`Small`]: its digits a `u64`, its exponent an `i32`.
    fn fits(value: &Value) -> bool {
        let mut buffer = [0; U64_DIGITS];
        let digits = ascii(value.digits(&mut buffer));
        (digits.is_empty() || digits.parse::<u64>().is_ok())
            && i32::try_from(value.exponent()).is_ok()
    }

    #[test]
    fn the_fast_path_agrees_with_the_exact_path_at_its_edges() {
        let texts = edge_texts();
        let mut values = Vec::new();
        let (mut fast_paths, mut small_values) = (0, 0);
        for text in &texts {
            let (fast, exact) = match (parse(text, Path::Any), parse(text, Path::Exact)) {
                (Ok(fast), Ok(exact)) => (fast, exact),
                (Err(fast), Err(exact)) => {
                    assert_eq!(fast, exact, "{text}");
                    assert!(!is_canonical(text), "{text}");
                    continue;
                }
                (fast, exact) => panic!(
                    "{text}: {:?} but exactly {:?}",
                    fast.map(|p| p.value),
                    exact.map(|p| p.value)
                ),
            };
            let (x, y) = (&fast.value, &exact.value);
            assert_eq!(x.to_string(), y.to_string(), "{text}");
            assert_eq!(
                (fast.format, fast.kept),
                (exact.format, exact.kept),
                "{text}"
            );
            assert!(matches!(y, Value::Big(_)) && !exact.small, "{text}");
            assert_eq!(matches!(x, Value::Small(_)), fits(y), "{text}");
            assert!(!fast.small || matches!(x, Value::Small(_)), "{text}");
            fast_paths += usize::from(fast.small);
            small_values += usize::from(matches!(x, Value::Small(_)));
            let format = fast.format;
            assert_eq!(x.canonical(format), y.canonical(format), "{text}");
            for spelling in [x.canonical(format), format!("{}0", x.canonical(format))] {
                let written = y.canonical(format) == spelling;
                assert_eq!(x.is_written_as(format, &spelling), written, "{text}");
            }
            assert_eq!(x.magnitude_ceil(), y.magnitude_ceil(), "{text}");
            assert_eq!(x.binary_integer(), y.binary_integer(), "{text}");
            assert_eq!(
                (x.is_zero(), x.is_negative()),
                (y.is_zero(), y.is_negative())
            );
            assert_eq!((x.top(), x.exponent()), (y.top(), y.exponent()), "{text}");
            assert_eq!(x.canonical_exponent(), y.canonical_exponent(), "{text}");
            assert_eq!(hash_of(x), hash_of(y), "{text}");
            assert!(x == y, "{text}");
            assert!(y == x, "{text}");
            assert_eq!((x.cmp(y), y.cmp(x)), (Ordering::Equal, Ordering::Equal));
            let stored = if exact.kept {
                text.clone()
            } else {
                y.canonical(format)
            };
            assert_eq!(canonical(text).unwrap(), stored, "{text}");
            assert_eq!(is_canonical(text), &stored == text, "{text}");
            values.push((text, fast.value, exact.value));
        }
        assert!(fast_paths > 1500, "{fast_paths} of {}", texts.len());
        assert!(
            small_values > fast_paths,
            "{small_values} of {}",
            texts.len()
        );
        assert!(
            values.len() + 20 < texts.len(),
            "errors too: {}",
            values.len()
        );
        // Every pair of a sample, each held either way, compares as the exact values do.
        for (a, x, y) in values.iter().step_by(7) {
            for (b, u, v) in values.iter().step_by(5) {
                let want = y.cmp(v);
                assert_eq!(x.cmp(u), want, "{a} vs {b}");
                assert_eq!(x.cmp(v), want, "{a} vs exact {b}");
                assert_eq!(y.cmp(u), want, "exact {a} vs {b}");
                assert_eq!(x == u, want == Ordering::Equal, "{a} vs {b}");
                assert_eq!(x == v, want == Ordering::Equal, "{a} vs exact {b}");
                assert_eq!(y == u, want == Ordering::Equal, "exact {a} vs {b}");
                assert_eq!(same_quantity(a, b), want == Ordering::Equal, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn everyday_spellings_are_held_in_machine_integers() {
        for (text, mantissa, exponent) in [
            ("10Gi", 1_073_741_824, 1),
            ("500Gi", 536_870_912, 3),
            ("1024Mi", 1_073_741_824, 0),
            ("100M", 1, 8),
            ("3k", 3, 3),
            ("1", 1, 0),
            ("500m", 5, -1),
            ("1.5e-10", 1, -9),
            ("0.9999999999", 1, 0),
            ("0.9999999981", 999_999_999, -9),
            ("1000000000000000000000", 1, 21),
            ("18446744073709551615", u64::MAX, 0),
            ("-18446744073709551615n", u64::MAX, -9),
            ("5Ei", 576_460_752_303_423_488, 1),
            ("9Ei", BINARY_CAP, 0),
            ("-20Ei", BINARY_CAP, 0),
            ("0.0000000000000000001Ei", 115_292_151, -9),
        ] {
            let parsed = parse(text, Path::Any).unwrap();
            assert!(parsed.small, "{text}");
            let want = Small {
                negative: text.starts_with('-'),
                mantissa,
                exponent,
            };
            assert!(
                matches!(parsed.value, Value::Small(v) if v == want),
                "{text}"
            );
        }
        assert!(matches!(q("0").value, Value::Small(Small::ZERO)));
        assert!(matches!(q("-0.0Ki").value, Value::Small(Small::ZERO)));
        // Too long for the fast path, small once rounded or capped.
        for text in [
            "9223372036854775807Ki",
            "7450580596923828125Ki",
            "1.00000000000000000000000001",
            "16Ei",
        ] {
            let parsed = parse(text, Path::Any).unwrap();
            assert!(!parsed.small, "{text}");
            assert!(matches!(parsed.value, Value::Small(_)), "{text}");
        }
        for text in [
            "18446744073709551616",
            "-18446744073709551616",
            "100e2147483646",
            "10e2147483647",
            "20000000000000000001",
            "20000000000000000001n",
        ] {
            let parsed = parse(text, Path::Any).unwrap();
            assert!(!parsed.small, "{text}");
            assert!(matches!(parsed.value, Value::Big(_)), "{text}");
        }
        assert!(takes_fast_path("1Gi"));
        assert!(!takes_fast_path("18446744073709551616"));
        assert!(!takes_fast_path("1GB"));
        assert!(matches!(
            parse_exact("1Gi").map(|q| q.value),
            Ok(Value::Big(_))
        ));
        assert_eq!(parse_exact("1GB").unwrap_err(), err("1GB"));
        assert_eq!(parse_exact("+1").unwrap().canonical(), "+1");
    }

    #[test]
    fn small_values_compare_by_their_digits() {
        let small = |negative, mantissa, exponent| Small {
            negative,
            mantissa,
            exponent,
        };
        for (a, b, want) in [
            ((1, 0), (1, 0), Ordering::Equal),
            ((0, 0), (0, 0), Ordering::Equal),
            ((0, 0), (1, -9), Ordering::Less),
            ((1, -9), (0, 0), Ordering::Greater),
            ((9, 0), (1, 1), Ordering::Less),
            ((11, 0), (1, 1), Ordering::Greater),
            ((19, -1), (2, 0), Ordering::Less),
            ((21, -1), (2, 0), Ordering::Greater),
            ((u64::MAX, 0), (1, 19), Ordering::Greater),
            ((u64::MAX, -1), (u64::MAX - 1, -1), Ordering::Greater),
            ((1, i32::MAX), (1, i32::MIN), Ordering::Greater),
        ] {
            let (x, y) = (small(false, a.0, a.1), small(false, b.0, b.1));
            assert_eq!(x.cmp_magnitude(&y), want, "{a:?} {b:?}");
            assert_eq!(y.cmp_magnitude(&x), want.reverse(), "{b:?} {a:?}");
            let (x, y) = (Value::Small(x), Value::Small(y));
            assert_eq!(x.cmp(&y), want, "{a:?} {b:?}");
            assert_eq!(x == y, want == Ordering::Equal, "{a:?} {b:?}");
        }
        let minus = Value::Small(small(true, 1, 0));
        let plus = Value::Small(small(false, 1, 0));
        assert_eq!(minus.cmp(&plus), Ordering::Less);
        assert_eq!(plus.cmp(&minus), Ordering::Greater);
        assert_eq!(
            minus.cmp(&Value::Small(small(true, 2, 0))),
            Ordering::Greater
        );
        assert_ne!(minus, plus);
        assert_ne!(hash_of(&minus), hash_of(&plus));
        assert_eq!(minus.partial_cmp(&plus), Some(Ordering::Less));
        assert_eq!(small(false, 123, -5).top(), -2);
        assert_eq!(small(false, 0, 0).top(), 0);
    }

    #[test]
    fn small_values_round_up_to_bytes() {
        let bytes = |mantissa, exponent| {
            Small {
                negative: false,
                mantissa,
                exponent,
            }
            .magnitude_ceil()
        };
        assert_eq!(bytes(0, 0), Some(0));
        assert_eq!(bytes(7, 0), Some(7));
        assert_eq!(bytes(7, 19), Some(7 * 10_u128.pow(19)));
        assert_eq!(bytes(3, 38), Some(3 * 10_u128.pow(38)));
        assert_eq!(bytes(4, 38), None);
        assert_eq!(bytes(1, 39), None);
        assert_eq!(
            bytes(u64::MAX, 19),
            Some(u128::from(u64::MAX) * 10_u128.pow(19))
        );
        assert_eq!(bytes(u64::MAX, 20), None);
        assert_eq!(bytes(15, -1), Some(2));
        assert_eq!(bytes(u64::MAX, -19), Some(2));
        assert_eq!(bytes(u64::MAX, -20), Some(1));
        assert_eq!(bytes(1, -9), Some(1));
        assert_eq!(bytes(1, i32::MIN), Some(1));
        assert_eq!(bytes(1, i32::MAX), None);
        let integer = |mantissa, exponent| {
            Small {
                negative: true,
                mantissa,
                exponent,
            }
            .binary_integer()
        };
        assert_eq!(integer(1024, 0), Some(1024));
        assert_eq!(integer(1023, 0), None);
        assert_eq!(integer(1025, -1), None);
        assert_eq!(integer(11, 2), Some(1100));
        assert_eq!(integer(2, 19), None);
        assert_eq!(integer(u64::MAX, 0), Some(u64::MAX));
    }

    #[test]
    fn binary_values_are_capped_and_below_one_decimal() {
        let with = |mantissa, exponent, format| {
            Small {
                negative: true,
                mantissa,
                exponent,
            }
            .with_format(format)
        };
        let cap = Small {
            negative: true,
            ..Small::BINARY_CAP
        };
        assert_eq!(with(BINARY_CAP, 0, B), (cap, B));
        assert_eq!(with(BINARY_CAP + 1, 0, B), (cap, B));
        assert_eq!(with(BINARY_CAP + 1, 0, DSI).0.mantissa, BINARY_CAP + 1);
        assert_eq!(with(BINARY_CAP * 2, -1, B).0.mantissa, BINARY_CAP * 2);
        assert_eq!(with(1, 19, B), (cap, B));
        assert_eq!(with(1, i32::MAX, B), (cap, B));
        assert_eq!(with(1, 0, B).1, B);
        assert_eq!(with(9, -1, B).1, DSI);
        assert_eq!(with(1, -9, B).1, DSI);
        assert_eq!(with(11, -1, B).1, B);
        assert_eq!(with(9, -1, DE).1, DE);
        assert_eq!(Small::ZERO.with_format(B), (Small::ZERO, B));
    }

    #[test]
    fn digits_and_powers() {
        let mut buffer = [b'x'; U64_DIGITS];
        assert_eq!(write_digits(0, &mut buffer), b"");
        assert_eq!(write_digits(7, &mut buffer), b"7");
        assert_eq!(write_digits(1_000_000_007, &mut buffer), b"1000000007");
        assert_eq!(write_digits(u64::MAX, &mut buffer), b"18446744073709551615");
        assert_eq!((digit_count(0), digit_count(9), digit_count(10)), (0, 1, 2));
        assert_eq!(digit_count(u64::MAX), 20);
        assert_eq!(
            (pow10(0), pow10(19), pow10(20)),
            (Some(1), Some(10_u64.pow(19)), None)
        );
        assert_eq!(scaled(25, 0), 25);
        assert_eq!(scaled(25, 18), 25 * 10_u128.pow(18));
        assert_eq!(scaled(u64::MAX, 19), u128::from(u64::MAX) * 10_u128.pow(19));
        assert_eq!(scaled(1, 20), u128::MAX);
        assert_eq!(scaled(0, 20), 0);
        let (mut mantissa, mut exponent) = (1_200, 3);
        strip_zeros(&mut mantissa, &mut exponent).unwrap();
        assert_eq!((mantissa, exponent), (12, 5));
        let (mut mantissa, mut exponent) = (10, i64::MAX);
        assert_eq!(strip_zeros(&mut mantissa, &mut exponent), None);
        assert_eq!(ascii(b"12"), "12");
    }

    #[test]
    fn texts_on_the_stack() {
        let mut short = ShortText::default();
        assert_eq!(short.as_str(), "");
        short.write_str("ab").unwrap();
        short.write_str(&"c".repeat(SMALL_TEXT - 2)).unwrap();
        assert_eq!(short.as_str().len(), SMALL_TEXT);
        assert!(short.write_str("d").is_err());
        assert_eq!(short.as_str().len(), SMALL_TEXT);
        let mut rest = Rest("1Gi");
        rest.write_str("1").unwrap();
        assert_eq!(rest.0, "Gi");
        assert!(rest.write_str("Mi").is_err());
        let long = format!("1{}", "0".repeat(SMALL_TEXT));
        assert_eq!(canon(&format!("{long}.5")), format!("{long}500m"));
        assert!(is_canonical(&format!("{long}500m")));
        assert!(!is_canonical(&format!("{long}5000m")));
        assert!(!is_canonical(&format!("{long}.5")));
        assert!(!is_canonical(&format!("0{long}500m")));
        let inline = "9".repeat(INLINE_TEXT);
        assert!(matches!(KeptText::new(&inline), KeptText::Inline { .. }));
        assert_eq!(&*KeptText::new(&inline), inline);
        let heap = "9".repeat(INLINE_TEXT + 1);
        assert!(matches!(KeptText::new(&heap), KeptText::Heap(_)));
        assert_eq!(&*KeptText::new(&heap), heap);
        assert_eq!(&*KeptText::new(""), "");
        assert_eq!(format!("{:?}", KeptText::new("+1")), "\"+1\"");
        assert_eq!(canon(&heap), heap);
        assert_eq!(q(&heap).to_string(), heap);
        assert_eq!(q("1024Mi").to_string(), "1Gi");
        assert_eq!(format!("{:>5}", q("1Gi")), "1Gi");
    }
}
