//! Kubernetes resource quantities (`5Gi`, `1024Mi`, `1.5e3`, `500m`), compared by value.
//!
//! A quantity is parsed exactly (no floating point) into `mantissa * 2^a * 5^b`, with the
//! mantissa free of factors 2 and 5, so equal values have equal parts whatever their spelling.

use std::fmt;
use std::str::FromStr;

/// An exact Kubernetes quantity value.
///
/// ```
/// use pv_translate::quantity::Quantity;
/// let a: Quantity = "1Gi".parse().unwrap();
/// let b: Quantity = "1024Mi".parse().unwrap();
/// assert_eq!(a, b);
/// assert_ne!(a, "1G".parse::<Quantity>().unwrap());
/// assert_eq!("0.5k".parse::<Quantity>().unwrap(), "500".parse().unwrap());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quantity {
    negative: bool,
    mantissa: u128,
    pow2: i64,
    pow5: i64,
}

/// Why a string is not a quantity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid quantity {text:?}: {reason}")]
pub struct QuantityError {
    /// The text given.
    pub text: String,
    /// What is wrong.
    pub reason: &'static str,
}

/// Parses the Kubernetes quantity grammar:
/// `[+-] digits [. digits] (binarySI | decimalSI | (e|E) [+-] digits)`.
impl FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = |reason| QuantityError {
            text: text.to_owned(),
            reason,
        };
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, text.get(1..).unwrap_or_default()),
            Some(b'+') => (false, text.get(1..).unwrap_or_default()),
            _ => (false, text),
        };
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, suffix) = rest.split_at(number_len);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && fraction.is_empty() {
            return Err(fail("no digits"));
        }
        if fraction.contains('.') {
            return Err(fail("more than one decimal point"));
        }
        let (pow2, pow10) = suffix_powers(suffix).ok_or_else(|| fail("unknown suffix"))?;
        let mut mantissa: u128 = 0;
        for digit in whole.bytes().chain(fraction.bytes()) {
            mantissa = mantissa
                .checked_mul(10)
                .and_then(|m| m.checked_add(u128::from(digit.wrapping_sub(b'0'))))
                .ok_or_else(|| fail("too many digits"))?;
        }
        let fraction_digits = i64::try_from(fraction.len()).map_err(|_| fail("too many digits"))?;
        let pow10 = pow10
            .checked_sub(fraction_digits)
            .ok_or_else(|| fail("exponent out of range"))?;
        Self::normalise(negative, mantissa, pow2, pow10)
            .ok_or_else(|| fail("exponent out of range"))
    }
}

/// `(power of two, power of ten)` of a suffix; `None` when it is not one.
fn suffix_powers(suffix: &str) -> Option<(i64, i64)> {
    let binary = |n: i64| Some((n, 0));
    let decimal = |n: i64| Some((0, n));
    match suffix {
        "" => decimal(0),
        "Ki" => binary(10),
        "Mi" => binary(20),
        "Gi" => binary(30),
        "Ti" => binary(40),
        "Pi" => binary(50),
        "Ei" => binary(60),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        _ => {
            let exponent = suffix.strip_prefix(['e', 'E'])?;
            let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            decimal(exponent.parse().ok()?)
        }
    }
}

impl Quantity {
    fn normalise(negative: bool, mut mantissa: u128, pow2: i64, pow10: i64) -> Option<Self> {
        if mantissa == 0 {
            return Some(Self {
                negative: false,
                mantissa: 0,
                pow2: 0,
                pow5: 0,
            });
        }
        let mut pow2 = pow2.checked_add(pow10)?;
        let mut pow5 = pow10;
        while mantissa.is_multiple_of(2) {
            mantissa /= 2;
            pow2 = pow2.checked_add(1)?;
        }
        while mantissa.is_multiple_of(5) {
            mantissa /= 5;
            pow5 = pow5.checked_add(1)?;
        }
        Some(Self {
            negative,
            mantissa,
            pow2,
            pow5,
        })
    }

    /// Whether the value is zero.
    pub const fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// Whether the value is below zero.
    pub const fn is_negative(&self) -> bool {
        self.negative
    }
}

impl fmt::Display for Quantity {
    /// A debugging form, `mantissa*2^a*5^b`; not a Kubernetes spelling.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.negative { "-" } else { "" };
        write!(f, "{sign}{}*2^{}*5^{}", self.mantissa, self.pow2, self.pow5)
    }
}

/// Semantic equality of two quantity strings: equal values, or (when either does not parse)
/// equal text.
pub fn same_quantity(a: &str, b: &str) -> bool {
    match (a.parse::<Quantity>(), b.parse::<Quantity>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The Kubernetes canonical spelling of a quantity (placeholder until the exact port lands).
pub fn canonical(text: &str) -> Result<String, QuantityError> {
    text.parse::<Quantity>().map(|_| text.to_owned())
}

impl Quantity {
    /// The value rounded up to a whole number (placeholder until the exact port lands).
    pub fn to_bytes_ceil(&self) -> Option<u128> {
        if self.negative || self.pow2 < 0 || self.pow5 < 0 {
            return None;
        }
        let two = 2u128.checked_pow(u32::try_from(self.pow2).ok()?)?;
        let five = 5u128.checked_pow(u32::try_from(self.pow5).ok()?)?;
        self.mantissa.checked_mul(two)?.checked_mul(five)
    }
}
