//! SPEC §0, quantities: Kubernetes' canonical form and `resource.Quantity` comparison, through
//! the public API of `pv_translate::quantity`, checked against examples and against a small
//! independent model (values as whole nanos in an i128).
#![allow(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing
)]

use std::cmp::Ordering;

use proptest::prelude::*;
use pv_translate::quantity::{Format, Quantity, QuantityErrorKind, canonical, same_quantity};

fn q(text: &str) -> Quantity {
    text.parse().unwrap()
}

/// SPEC §0: "Every quantity in a desired object is written in Kubernetes' canonical form".
#[test]
fn spec0_desired_quantities_are_written_canonically() {
    assert_eq!(canonical("1024Mi").unwrap(), "1Gi");
    assert_eq!(canonical("0.5Gi").unwrap(), "512Mi");
    assert_eq!(canonical("1000M").unwrap(), "1G");
    assert_eq!(canonical("1.5").unwrap(), "1500m");
    assert_eq!(canonical("1.5Gi").unwrap(), "1536Mi");
    assert_eq!(canonical("10Gi").unwrap(), "10Gi");
    assert_eq!(canonical("20G").unwrap(), "20G");
    assert_eq!(q("1024Mi").to_string(), "1Gi");
}

/// SPEC §0: "a value is rounded up to nano precision (`0.1n` equals `1n`)".
#[test]
fn spec0_values_round_up_to_nano() {
    assert_eq!(q("0.1n"), q("1n"));
    assert!(same_quantity("0.1n", "1n"));
    assert_eq!(canonical("0.1n").unwrap(), "1n");
    assert_eq!(canonical("-0.0000000001").unwrap(), "-1n");
}

/// SPEC §0: "an exponent outside int32 is an error".
#[test]
fn spec0_exponents_outside_int32_are_errors() {
    assert!("1e2147483647".parse::<Quantity>().is_ok());
    assert!("1e-2147483648".parse::<Quantity>().is_ok());
    for text in ["1e2147483648", "1e-2147483649", "1E6024865272343"] {
        let err = text.parse::<Quantity>().unwrap_err();
        assert_eq!(err.kind, QuantityErrorKind::ExponentOutOfRange, "{text}");
    }
}

/// SPEC §0: "mantissas of any length parse".
#[test]
fn spec0_mantissas_of_any_length_parse() {
    let long = format!("{}Gi", "9".repeat(200));
    let value = q(&long);
    assert_eq!(value.format(), Format::BinarySI);
    assert_eq!(value.canonical(), "9223372036854775807"); // Go's BinarySI cap
    let decimal = format!("{}.5", "1".repeat(200));
    assert!(q(&decimal) > q(&"1".repeat(200)));
    assert_eq!(q(&decimal).canonical(), format!("{}500m", "1".repeat(200)));
}

/// The byte count used to sum storage (Go's `Value()`).
#[test]
fn bytes_are_rounded_up() {
    assert_eq!(q("1Gi").to_bytes_ceil(), Some(1 << 30));
    assert_eq!(q("1.1").to_bytes_ceil(), Some(2));
    assert_eq!(q("-1").to_bytes_ceil(), None);
}

/// A quantity from small parts: `(text, value in nanos rounded away from zero)`.
fn small_quantity() -> impl Strategy<Value = (String, i128)> {
    let suffixes: Vec<(&str, i32, u32)> = vec![
        ("n", -9, 0),
        ("u", -6, 0),
        ("m", -3, 0),
        ("", 0, 0),
        ("k", 3, 0),
        ("M", 6, 0),
        ("G", 9, 0),
        ("T", 12, 0),
        ("Ki", 0, 10),
        ("Mi", 0, 20),
        ("Gi", 0, 30),
        ("Ti", 0, 40),
        ("e-12", -12, 0),
        ("e2", 2, 0),
        ("E7", 7, 0),
    ];
    (
        prop_oneof![Just(""), Just("-"), Just("+")],
        0_u32..10_000,
        "[0-9]{0,9}",
        proptest::sample::select(suffixes),
    )
        .prop_map(|(sign, whole, fraction, (suffix, pow10, pow2))| {
            let text = if fraction.is_empty() {
                format!("{sign}{whole}{suffix}")
            } else {
                format!("{sign}{whole}.{fraction}{suffix}")
            };
            // value * 10^9 = digits * 2^pow2 * 10^(pow10 - len(fraction) + 9)
            let digits: i128 = format!("{whole}{fraction}").parse().unwrap();
            let mut numerator = digits << pow2;
            let mut denominator = 1_i128;
            let shift = pow10 - i32::try_from(fraction.len()).unwrap() + 9;
            if shift >= 0 {
                numerator *= 10_i128.pow(shift.unsigned_abs());
            } else {
                denominator = 10_i128.pow(shift.unsigned_abs());
            }
            let nanos = (numerator + denominator - 1) / denominator;
            (text, if sign == "-" { -nanos } else { nanos })
        })
}

fn quantity_like_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[-+]?[0-9.]{0,8}([eEinumkKMGTP]{0,2}[-+]?[0-9]{0,4})?",
        "[-+]?[0-9]{0,25}(\\.[0-9]{0,25})?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][-+]?[0-9]{1,11})?",
        any::<String>(),
    ]
}

proptest! {
    /// Comparison, sign and bytes agree with the model.
    #[test]
    fn quantities_compare_as_their_values(a in small_quantity(), b in small_quantity()) {
        let (x, y) = (q(&a.0), q(&b.0));
        prop_assert_eq!(x.cmp(&y), a.1.cmp(&b.1), "{} vs {}", a.0, b.0);
        prop_assert_eq!(x == y, a.1 == b.1);
        prop_assert_eq!(same_quantity(&a.0, &b.0), a.1 == b.1);
        prop_assert_eq!(x.is_negative(), a.1 < 0);
        prop_assert_eq!(x.is_zero(), a.1 == 0);
        let bytes = (a.1 >= 0).then(|| u128::try_from((a.1 + 999_999_999) / 1_000_000_000).unwrap());
        prop_assert_eq!(x.to_bytes_ceil(), bytes, "{}", a.0);
    }

    /// The canonical spelling keeps the value, and is what Kubernetes writes for itself.
    #[test]
    fn canonical_spelling_is_stable(text in quantity_like_text()) {
        if let Ok(value) = text.parse::<Quantity>() {
            for spelling in [value.canonical(), value.canonical_uncached()] {
                let again = q(&spelling);
                prop_assert_eq!(&again, &value, "{} -> {}", text, spelling);
                prop_assert_eq!(again.canonical(), spelling.clone(), "{}", text);
                prop_assert_eq!(again.cmp(&value), Ordering::Equal);
            }
            prop_assert_eq!(canonical(&text).unwrap(), value.canonical());
        } else {
            let err = text.parse::<Quantity>().unwrap_err();
            prop_assert!(err.text.len() <= 100);
            prop_assert!(canonical(&text).is_err());
        }
    }

    /// Spellings of one value: the small model's values spelled in other units are equal.
    #[test]
    fn equal_values_in_other_units_are_equal(a in small_quantity()) {
        let value = q(&a.0);
        let nanos = format!("{}n", a.1);
        prop_assert_eq!(&q(&nanos), &value, "{} vs {}", a.0, nanos);
        prop_assert_eq!(q(&value.canonical()), q(&nanos));
    }
}
