//! SPEC §0, quantities: Kubernetes' canonical form and `resource.Quantity` comparison, through
//! the public API of `pv_translate::quantity`, checked against examples and against a small
//! independent model (values as whole nanos in an i128).
#![allow(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::cell::Cell;
use std::cmp::Ordering;

use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use pv_translate::quantity::{
    Format, Quantity, QuantityErrorKind, canonical, is_canonical, parse_exact, same_quantity,
    takes_fast_path,
};

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

// ---- The fast path (machine integers) agrees with the exact path (big decimals) --------------

/// Mantissas at the edges of the fast path: `u64`, `i64` (Go's `BinarySI` cap), 18 and 19
/// digits, powers of two and of five (whose products with a binary suffix end in zeros), and
/// Go's binary fast-path lengths.
const EDGE_MANTISSAS: &[&str] = &[
    "1",
    "5",
    "8",
    "9",
    "15",
    "16",
    "17",
    "25",
    "125",
    "999",
    "1000",
    "1023",
    "1024",
    "1025",
    "3125",
    "78125",
    "99999",
    "999999",
    "99999999",
    "99999999999",
    "999999999999",
    "1152921504606846976",
    "7450580596923828125",
    "999999999999999999",
    "1000000000000000000",
    "1000000000000000001",
    "9223372036854775806",
    "9223372036854775807",
    "9223372036854775808",
    "9999999999999999999",
    "10000000000000000000",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999",
    "340282366920938463463374607431768211455",
    "340282366920938463463374607431768211456",
];

/// Decimal exponents at the edges: nano, `u64`'s 19 digits, `u128`'s 38, int32.
const EDGE_EXPONENTS: &[i64] = &[
    0,
    1,
    2,
    3,
    9,
    10,
    18,
    19,
    20,
    21,
    37,
    38,
    39,
    -1,
    -2,
    -3,
    -8,
    -9,
    -10,
    -11,
    -12,
    -18,
    -19,
    -20,
    -21,
    -28,
    -29,
    -30,
    -40,
    2_147_483_644,
    2_147_483_645,
    2_147_483_646,
    2_147_483_647,
    2_147_483_648,
    -2_147_483_647,
    -2_147_483_648,
    -2_147_483_649,
];

const SUFFIXES: &[&str] = &[
    "", "", "", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
];

/// Quantity texts of every shape: signs, leading zeros, short and huge mantissas, fractions,
/// every suffix and decimal exponents, around the limits of the fast path; and any text.
fn any_shape() -> impl Strategy<Value = String> {
    let sign = prop_oneof![Just(""), Just("+"), Just("-")];
    let zeros = prop_oneof![
        6 => Just(String::new()),
        2 => "0{1,3}",
        1 => Just("0".repeat(25)),
    ];
    let whole = prop_oneof![
        6 => "[1-9][0-9]{0,3}",
        3 => "[1-9][0-9]{0,17}",
        3 => "[1-9][0-9]{17,20}",
        1 => "[1-9][0-9]{21,60}",
        1 => "[1-9]0{1,30}",
        1 => Just(String::new()),
        3 => proptest::sample::select(EDGE_MANTISSAS).prop_map(str::to_owned),
    ];
    let fraction = prop_oneof![
        6 => Just(None),
        1 => Just(Some(String::new())),
        3 => "[0-9]{1,4}".prop_map(Some),
        2 => "[0-9]{5,25}".prop_map(Some),
        1 => "0{5,25}[1-9]".prop_map(Some),
        1 => "[0-9]{1,5}0{1,20}".prop_map(Some),
    ];
    let exponent = prop_oneof![
        3 => -40_i64..40,
        2 => proptest::sample::select(EDGE_EXPONENTS),
        1 => any::<i64>(),
    ];
    let suffix = prop_oneof![
        4 => proptest::sample::select(SUFFIXES).prop_map(str::to_owned),
        2 => (
            prop_oneof![Just("e"), Just("E")],
            prop_oneof![Just(""), Just("+"), Just("0")],
            exponent
        )
            .prop_map(|(e, pad, exponent)| {
                if exponent < 0 {
                    format!("{e}{exponent}")
                } else {
                    format!("{e}{pad}{exponent}")
                }
            }),
    ];
    let shaped = (sign, zeros, whole, fraction, suffix).prop_map(
        |(sign, zeros, whole, fraction, suffix)| match fraction {
            Some(fraction) => format!("{sign}{zeros}{whole}.{fraction}{suffix}"),
            None => format!("{sign}{zeros}{whole}{suffix}"),
        },
    );
    prop_oneof![9 => shaped, 1 => quantity_like_text()]
}

fn hash_of(value: &Quantity) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(value)
}

/// One text: parsing, every accessor, [`canonical`] and [`is_canonical`] agree with the exact
/// path; the two results are equal, compare equal and hash alike.
fn agrees_alone(text: &str) -> Result<(), TestCaseError> {
    let (fast, exact) = (text.parse::<Quantity>(), parse_exact(text));
    match (&fast, &exact) {
        (Ok(fast), Ok(exact)) => {
            // value (digits and exponent), format and kept text
            prop_assert_eq!(format!("{fast:?}"), format!("{exact:?}"), "{}", text);
            prop_assert_eq!(fast.canonical(), exact.canonical(), "{}", text);
            prop_assert_eq!(fast.canonical_uncached(), exact.canonical_uncached());
            prop_assert_eq!(fast.to_string(), exact.to_string());
            prop_assert_eq!(fast.format(), exact.format());
            prop_assert_eq!(fast.is_zero(), exact.is_zero());
            prop_assert_eq!(fast.is_negative(), exact.is_negative());
            prop_assert_eq!(fast.to_bytes_ceil(), exact.to_bytes_ceil(), "{}", text);
            prop_assert_eq!(fast, exact);
            prop_assert_eq!(fast.cmp(exact), Ordering::Equal);
            prop_assert_eq!(hash_of(fast), hash_of(exact));
        }
        (Err(fast), Err(exact)) => prop_assert_eq!(fast, exact),
        _ => prop_assert!(false, "{text:?}: {fast:?} but exactly {exact:?}"),
    }
    let stored = exact
        .as_ref()
        .map(Quantity::canonical)
        .map_err(Clone::clone);
    prop_assert_eq!(canonical(text), stored.clone(), "{}", text);
    prop_assert_eq!(
        is_canonical(text),
        stored.is_ok_and(|s| s == text),
        "{}",
        text
    );
    Ok(())
}

/// Two texts: comparison, equality and [`same_quantity`] agree with the exact path, and a value
/// held either way compares with one held the other way.
fn agrees_in_pairs(a: &str, b: &str) -> Result<(), TestCaseError> {
    let exact_same = match (parse_exact(a), parse_exact(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    };
    prop_assert_eq!(same_quantity(a, b), exact_same, "{} vs {}", a, b);
    let (Ok(fa), Ok(fb), Ok(ea), Ok(eb)) = (
        a.parse::<Quantity>(),
        b.parse::<Quantity>(),
        parse_exact(a),
        parse_exact(b),
    ) else {
        return Ok(());
    };
    let want = ea.cmp(&eb);
    prop_assert_eq!(fa.cmp(&fb), want, "{} vs {}", a, b);
    prop_assert_eq!(fa.cmp(&eb), want, "{} vs {} held exactly", a, b);
    prop_assert_eq!(ea.cmp(&fb), want, "{} held exactly vs {}", a, b);
    prop_assert_eq!(fa == fb, want == Ordering::Equal);
    prop_assert_eq!(fa == eb, want == Ordering::Equal);
    prop_assert_eq!(fa.partial_cmp(&fb), Some(want));
    if want == Ordering::Equal {
        prop_assert_eq!(hash_of(&fa), hash_of(&fb));
    }
    Ok(())
}

/// The fast path gives the exact path's answers on texts of every shape, takes most of them and
/// leaves the others to the exact path.
#[test]
fn the_fast_path_agrees_with_the_exact_path() {
    let (fast, exact, failed) = (Cell::new(0_u32), Cell::new(0_u32), Cell::new(0_u32));
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 3000,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let outcome = runner.run(&(any_shape(), any_shape()), |(a, b)| {
        for text in [&a, &b] {
            agrees_alone(text)?;
            let counter = if takes_fast_path(text) {
                &fast
            } else if text.parse::<Quantity>().is_ok() {
                &exact
            } else {
                &failed
            };
            counter.set(counter.get() + 1);
        }
        agrees_in_pairs(&a, &b)?;
        agrees_in_pairs(&a, &a)?;
        let canonical_a = a.parse::<Quantity>().map(|q| q.canonical_uncached());
        if let Ok(canonical_a) = canonical_a {
            agrees_in_pairs(&a, &canonical_a)?;
        }
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
    let (fast, exact, failed) = (fast.get(), exact.get(), failed.get());
    println!("fast path {fast}, exact path {exact}, errors {failed}");
    assert!(
        fast > exact + failed,
        "fast {fast}, exact {exact}, errors {failed}"
    );
    assert!(exact > 300, "exact path too rarely exercised: {exact}");
    assert!(failed > 100, "errors too rarely exercised: {failed}");
}

/// The everyday spellings take the fast path, and the ones that do not fit it the exact path.
#[test]
fn everyday_spellings_take_the_fast_path() {
    for text in [
        "10Gi", "500Gi", "5Gi", "1024Mi", "100M", "3k", "1", "500m", "0", "1.5", "+1", "-1n",
        "1e3", "9Ei", "0.5Ki",
    ] {
        assert!(takes_fast_path(text), "{text}");
        assert!(
            !takes_fast_path(&format!("{text}x")),
            "{text}x is no quantity"
        );
    }
    for text in [
        "18446744073709551616",
        "99999999999999999999",
        "1e2147483648",
        "10e2147483647",
        "16Ei",
        "9223372036854775807Ki",
        "1.00000000000000000001",
        "Pi",
    ] {
        assert!(!takes_fast_path(text), "{text}");
    }
}

/// SPEC §0: a text is canonical exactly when the API server stores it unchanged.
#[test]
fn is_canonical_says_whether_the_text_is_stored_unchanged() {
    for text in [
        "10Gi", "1Gi", "500m", "3k", "1", "0", "+1", "01", "1.", "1E3", "1.441", "1e21", "1536Mi",
        "8Ki", "1500m", "-1n",
    ] {
        assert!(is_canonical(text), "{text}");
    }
    for text in [
        "1024Mi",
        "0.5Gi",
        "1000M",
        "1.5",
        "1.5Ki",
        "0.1n",
        "1000E",
        "8Ei",
        "-0",
        "00",
        "20GB",
        "",
        " 1",
        "1e2147483648",
        "1Gi ",
    ] {
        assert!(!is_canonical(text), "{text}");
    }
}
