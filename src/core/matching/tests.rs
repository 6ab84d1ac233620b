use super::*;
use serde_json::json;

fn rec(v: serde_json::Value) -> MatchRecord {
    MatchRecord::from_attributes(&v)
}

fn pat() -> MatchRecord {
    rec(
        json!({"givenName": "Pat", "sn": "Lee", "dateOfBirth": "1983-03-18", "hashedSSN": "3B902AE12DF55196", "mobile": "8185551234", "gender": "F"}),
    )
}

#[test]
fn identical_records_score_high_and_explain_themselves() {
    let p = Params::default();
    let e = score(&pat(), &pat(), &p, &NoTf);
    assert!(e.confidence > 99.0, "{e:?}");
    let sum: f64 = e.prior + e.fields.iter().map(|f| f.weight).sum::<f64>();
    assert!(
        (sum - e.score).abs() < 1e-9,
        "the parts add up to the score"
    );
    let given = e.fields.iter().find(|f| f.field == "given name").unwrap();
    assert_eq!(given.level, "exact");
    assert_eq!(given.left, "pat");
    let email = e.fields.iter().find(|f| f.field == "email").unwrap();
    assert_eq!((email.level.as_str(), email.weight), ("missing", 0.0));
}

#[test]
fn different_people_score_low() {
    let p = Params::default();
    let other = rec(
        json!({"givenName": "Michael", "sn": "Brown", "dateOfBirth": "1950-07-01", "hashedSSN": "FFFF", "gender": "M"}),
    );
    let e = score(&pat(), &other, &p, &NoTf);
    assert!(e.confidence < 1.0, "{e:?}");
}

#[test]
fn cyrillic_meets_latin() {
    let p = Params::default();
    let a = rec(json!({"givenName": "Олена", "sn": "Коваленко", "dateOfBirth": "1986-04-12"}));
    let b = rec(json!({"givenName": "Olena", "sn": "Kovalenko", "dateOfBirth": "19860412"}));
    let e = score(&a, &b, &p, &NoTf);
    assert_eq!(e.fields[GIVEN].level, "exact");
    assert_eq!(e.fields[FAMILY].level, "exact");
    assert_eq!(e.fields[DOB].level, "exact");
    assert!(
        a.blocking_keys()
            .iter()
            .any(|k| b.blocking_keys().contains(k))
    );
}

#[test]
fn levels() {
    let base = json!({"givenName": "William", "sn": "Harrington", "dateOfBirth": "1983-03-18"});
    let with = |k: &str, v: &str| {
        let mut x = base.clone();
        x[k] = json!(v);
        rec(x)
    };
    let b = rec(base.clone());
    let lv = |a: &MatchRecord, f: usize| compare(a, &b)[f];
    assert_eq!(lv(&with("givenName", "Bill"), GIVEN), Some(1), "nickname");
    assert_eq!(lv(&with("givenName", "Wiliam"), GIVEN), Some(2), "typo");
    assert_eq!(lv(&with("givenName", "Zed"), GIVEN), Some(5));
    assert!(garbled("jackson", "jvzckhsor") && garbled("andrew", "cnd"));
    assert!(!garbled("anna", "maria") && !garbled("olena", "mariia") && !garbled("jw", "owen"));
    assert_eq!(lv(&with("sn", "Harington"), FAMILY), Some(2));
    assert_eq!(
        lv(&with("dateOfBirth", "1983-18-03"), DOB),
        Some(0),
        "year, day, month: read as the date it can only be"
    );
    assert_eq!(
        lv(&with("dateOfBirth", "1983-13-33"), DOB),
        None,
        "not a date: missing"
    );
    assert_eq!(
        lv(&with("dateOfBirth", "18-03-1983"), DOB),
        Some(0),
        "day first"
    );
    assert_eq!(
        lv(&with("dateOfBirth", "03/18/1983"), DOB),
        Some(0),
        "month first when the day cannot be a month"
    );
    assert_eq!(
        lv(&with("dateOfBirth", "1983/03/18"), DOB),
        Some(0),
        "slashes"
    );
    assert_eq!(
        lv(&with("dateOfBirth", "1983-03-19"), DOB),
        Some(1),
        "one digit"
    );
    assert_eq!(
        lv(&with("dateOfBirth", "1938-03-18"), DOB),
        Some(1),
        "transposition"
    );
    let swapped =
        rec(json!({"givenName": "William", "sn": "Harrington", "dateOfBirth": "1983-12-03"}));
    let orig =
        rec(json!({"givenName": "William", "sn": "Harrington", "dateOfBirth": "1983-03-12"}));
    assert_eq!(
        compare(&swapped, &orig)[DOB],
        Some(2),
        "day and month swapped"
    );
    let names_swapped = rec(json!({"givenName": "Harrington", "sn": "William"}));
    assert_eq!(compare(&names_swapped, &b)[GIVEN], Some(1));
    assert_eq!(compare(&names_swapped, &b)[FAMILY], Some(1));
    let ssn = |s: &str| rec(json!({"ssn": s}));
    assert_eq!(compare(&ssn("1234567"), &ssn("1234567"))[SSN], Some(0));
    assert_eq!(compare(&ssn("1234567"), &ssn("1234576"))[SSN], Some(1));
    assert_eq!(compare(&ssn("1234567"), &ssn("7654321"))[SSN], Some(2));
}

#[test]
fn weights_are_ordered() {
    let p = Params::default();
    for (f, spec) in FIELDS.iter().enumerate() {
        let w: Vec<f64> = (0..spec.levels.len())
            .map(|l| (p.m[f][l] / p.u[f][l]).log2())
            .collect();
        assert!(
            w.iter().all(|x| *x <= w[0]),
            "exact is the strongest level of {}: {w:?}",
            spec.name
        );
        assert!(w[0] > 0.0 && *w.last().unwrap() <= 0.0, "{}", spec.name);
        assert!(
            (p.m[f].iter().sum::<f64>() - 1.0).abs() < 1e-6,
            "m of {} sums to 1",
            spec.name
        );
        assert!(
            (p.u[f].iter().sum::<f64>() - 1.0).abs() < 1e-6,
            "u of {} sums to 1",
            spec.name
        );
    }
}

struct CommonSmith;
impl TermFrequency for CommonSmith {
    fn tf(&self, field: usize, value: &str) -> Option<f64> {
        (field == FAMILY).then(|| if value == "smith" { 0.05 } else { 0.00001 })
    }
}

#[test]
fn common_names_weigh_less() {
    let p = Params::default();
    let smith = rec(json!({"givenName": "Ann", "sn": "Smith"}));
    let rare = rec(json!({"givenName": "Ann", "sn": "Zelenko"}));
    let w_smith = score(&smith, &smith, &p, &CommonSmith).fields[FAMILY].weight;
    let w_rare = score(&rare, &rare, &p, &CommonSmith).fields[FAMILY].weight;
    assert!(w_rare > w_smith + 5.0, "{w_rare} vs {w_smith}");
    assert!(
        (score_only(&smith, &smith.view(), &p, &CommonSmith)
            - score(&smith, &smith, &p, &CommonSmith).score)
            .abs()
            < 1e-9
    );
}

#[test]
fn u_from_random_pairs() {
    let mut p = Params::default();
    let mut pairs = Vec::new();
    for i in 0..1000 {
        let mut v = vec![None; FIELDS.len()];
        v[GENDER] = Some(i % 2);
        v[CITY] = Some(if i % 10 == 0 { 0 } else { 2 });
        pairs.push(v);
    }
    learn::u_from_random_pairs(&mut p, &pairs);
    assert!((p.u[GENDER][0] - 0.5).abs() < 0.01);
    assert!((p.u[CITY][0] - 0.1).abs() < 0.01);
    assert_eq!(
        p.u[TAX_ID],
        Params::default().u[TAX_ID],
        "no data: defaults kept"
    );
}

#[test]
fn blocking_keys_tolerate_errors() {
    let a = rec(
        json!({"givenName": "Kayla", "sn": "Harrington", "dateOfBirth": "19150612", "postalCode": "3465"}),
    );
    let typo_in_date = rec(
        json!({"givenName": "Kayla", "sn": "Harrington", "dateOfBirth": "19150621", "postalCode": "3465"}),
    );
    let typo_in_family =
        rec(json!({"givenName": "Kayla", "sn": "Xarrington", "dateOfBirth": "19150612"}));
    let swapped = rec(json!({"givenName": "Harrington", "sn": "Kayla", "dateOfBirth": "19150612"}));
    for b in [typo_in_date, typo_in_family, swapped] {
        let ka = a.blocking_keys();
        assert!(b.blocking_keys().iter().any(|k| ka.contains(k)), "{b:?}");
    }
}

#[test]
fn key_hash_is_fnv1a_and_never_changes() {
    // Published FNV-1a 64 test vectors: stored keys depend on these values.
    assert_eq!(key_hash("") as u64, 0xcbf2_9ce4_8422_2325);
    assert_eq!(key_hash("a") as u64, 0xaf63_dc4c_8601_ec8c);
    assert_eq!(key_hash("foobar") as u64, 0x8594_4171_f739_67e8);
    assert_ne!(key_hash("nd:JN:19900101"), key_hash("nd:JN:19900110"));
}

/// Relatives, flatmates and namesakes that share a lot: never linked by the
/// engine alone (held), next to true matches that must still link.
#[test]
fn households_are_held_and_true_matches_are_not() {
    let p = Params::default();
    let olena = json!({"givenName": "Олена", "sn": "Коваленко", "middleName": "Петрівна", "dateOfBirth": "1980-05-02",
        "mobile": "+380501234567", "email": "family@example.com", "street": "Хрещатик", "houseNumber": "1",
        "city": "Київ", "postalCode": "01001", "tax_id": "2922508765", "gender": "F"});
    let with = |changes: serde_json::Value| {
        let mut x = olena.clone();
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                x.as_object_mut().unwrap().remove(k);
            } else {
                x[k] = v.clone();
            }
        }
        rec(x)
    };
    let base = rec(olena.clone());
    // (case, other record, held?, words the reason must contain)
    let cases: Vec<(&str, MatchRecord, bool, &str)> = vec![
        (
            "daughter: same surname, phone and address",
            with(
                json!({"givenName": "Марія", "middleName": "Іванівна", "dateOfBirth": "2012-09-14", "tax_id": null, "email": null}),
            ),
            true,
            "shares a household family name, phone",
        ),
        (
            "twin sister: same surname, birth date and address",
            with(json!({"givenName": "Ірина", "tax_id": null})),
            true,
            "the given names differ",
        ),
        (
            "mother: same given name, different birth date",
            with(json!({"middleName": "Іванівна", "dateOfBirth": "1958-01-20", "tax_id": null})),
            true,
            "the birth dates differ",
        ),
        (
            "flatmate sharing an e-mail only",
            rec(
                json!({"givenName": "Світлана", "sn": "Мельник", "dateOfBirth": "1979-11-30", "email": "family@example.com"}),
            ),
            true,
            "shares a household e-mail",
        ),
        (
            "namesake: same name and birth date, another tax id",
            rec(
                json!({"givenName": "Олена", "sn": "Коваленко", "dateOfBirth": "1980-05-02", "tax_id": "3100000000"}),
            ),
            true,
            "the tax ids differ",
        ),
        (
            "a look-alike: same given name and birth date, another family name and address",
            rec(
                json!({"givenName": "Олена", "sn": "Шевчук", "dateOfBirth": "1980-05-02", "street": "Городоцька", "city": "Львів"}),
            ),
            true,
            "the family names differ",
        ),
        (
            "father and son: same name, address and phone, born 25 years apart",
            with(
                json!({"middleName": "Олегович", "dateOfBirth": "2005-05-02", "tax_id": null, "gender": "M"}),
            ),
            true,
            "the birth dates differ",
        ),
        (
            "sister: same name and address, born the same year, another tax id, passports in sequence",
            rec(
                json!({"givenName": "Олена", "sn": "Коваленко", "dateOfBirth": "1980-11-20", "street": "Хрещатик",
                "houseNumber": "1", "city": "Київ", "postalCode": "01001", "tax_id": "2929108761",
                "documentNumber": "АА123457"}),
            ),
            true,
            "the tax ids differ",
        ),
        (
            "Patrick Lee: surname and mobile, no birth date",
            rec(json!({"givenName": "Patrick", "sn": "Lee", "mobile": "8185551234"})),
            true,
            "no birth date or identifier",
        ),
        (
            "twin brother: a like given name, the other gender, same birth date and address",
            with(json!({"givenName": "Олег", "gender": "M", "tax_id": null, "middleName": null})),
            true,
            "the genders differ",
        ),
        (
            "a namesake with nothing but the name and birth date",
            rec(json!({"givenName": "Олена", "sn": "Коваленко", "dateOfBirth": "1980-05-02"})),
            true,
            "only the name and birth date can be compared",
        ),
        // True matches.
        ("the same record", rec(olena.clone()), false, ""),
        (
            "the year mistyped, the same birthday",
            with(json!({"dateOfBirth": "1989-05-02", "tax_id": null})),
            false,
            "",
        ),
        (
            "a garbled given name",
            with(json!({"givenName": "Оелна", "tax_id": null})),
            false,
            "",
        ),
        (
            "a typo in the given name",
            with(json!({"givenName": "Олна"})),
            false,
            "",
        ),
        (
            "Latin spelling, no middle name",
            with(json!({"givenName": "Olena", "sn": "Kovalenko", "middleName": null})),
            false,
            "",
        ),
        (
            "day and month swapped",
            with(json!({"dateOfBirth": "1980-02-05"})),
            false,
            "",
        ),
        (
            "one digit of the tax id",
            with(json!({"tax_id": "2922508766"})),
            false,
            "",
        ),
        (
            "a middle initial",
            with(json!({"middleName": "П."})),
            false,
            "",
        ),
        (
            "a married name, the same phone",
            with(json!({"sn": "Шевчук", "tax_id": null})),
            false,
            "",
        ),
        (
            "a garbled birth day",
            with(json!({"dateOfBirth": "1980-08-29", "tax_id": null})),
            false,
            "",
        ),
        (
            "moved house, new phone",
            with(json!({"street": "Шевченка", "mobile": "+380671112233", "postalCode": "02000"})),
            false,
            "",
        ),
    ];
    for (case, other, held, words) in cases {
        let a = if case.starts_with("Patrick") {
            rec(
                json!({"givenName": "Pat", "sn": "Lee", "dateOfBirth": "1983-03-18", "mobile": "8185551234"}),
            )
        } else {
            base.clone()
        };
        let e = score(&a, &other, &p, &NoTf);
        let reason = hold_reason(&e.weighed(), &compare(&a, &other), &a, &other, p.auto_link);
        assert_eq!(reason.is_some(), held, "{case}: {reason:?}");
        if let Some(r) = reason.map(|h| h.words()) {
            assert!(r.contains(words), "{case}: {r}");
        }
        if !held {
            assert!(
                score(&a, &other, &p, &NoTf).confidence > 99.0,
                "{case} must still score high"
            );
        }
    }
}

/// The same name written in Ukrainian national, passport and Russian-style
/// romanisations is a variant, not a different name.
#[test]
fn romanisation_variants_are_one_name() {
    for (a, b) in [
        ("Сергій", "Sergey"),
        ("Serhii", "Sergiy"),
        ("Юлія", "Yulia"),
        ("Ольга", "Olga"),
        ("Олена", "Elena"),
        ("Микола", "Nikolay"),
        ("Євгеній", "Yevgeniy"),
        ("Sasha", "Oleksandra"),
        ("Pat", "Patrick"),
        ("Pat", "Patricia"),
    ] {
        let x = rec(json!({"givenName": a}));
        let y = rec(json!({"givenName": b}));
        assert!(matches!(compare(&x, &y)[GIVEN], Some(0 | 1)), "{a} / {b}");
    }
    let (olena, maria) = (
        rec(json!({"givenName": "Олена"})),
        rec(json!({"givenName": "Марія"})),
    );
    assert_eq!(compare(&olena, &maria)[GIVEN], Some(5));
    let (patrick, patricia) = (
        rec(json!({"givenName": "Patrick"})),
        rec(json!({"givenName": "Patricia"})),
    );
    assert_ne!(
        compare(&patrick, &patricia)[GIVEN],
        Some(1),
        "two names, one nickname"
    );
}

#[test]
fn the_weights_table_says_each_level_in_words() {
    let t = weights_table(&Params::default());
    let line = |field: &str, level: &str| {
        t.lines()
            .find(|l| l.starts_with(field) && l.contains(level))
            .unwrap_or_else(|| panic!("{field} {level} in\n{t}"))
            .to_string()
    };
    assert!(line("tax id", "exact").contains("very strong evidence of the same person"));
    assert!(line("birth date", "different").contains("evidence of different people"));
    assert!(line("gender", "same").contains("hardly evidence either way"));
    assert_eq!(
        t.lines().count(),
        1 + FIELDS.iter().map(|f| f.levels.len()).sum::<usize>() + 1
    );
}

#[test]
fn within_one_edit_is_damerau_levenshtein_at_most_one() {
    let words = [
        "",
        "a",
        "ab",
        "ba",
        "abc",
        "acb",
        "bac",
        "abd",
        "abcd",
        "abdc",
        "xbcd",
        "abc d",
        "19800502",
        "19800520",
        "19800503",
        "1980052",
        "198005023",
        "29800502",
        "йод",
        "йоди",
        "ідо",
    ];
    for a in words {
        for b in words {
            assert_eq!(
                within_one_edit(a, b),
                strsim::damerau_levenshtein(a, b) <= 1,
                "{a:?} / {b:?}"
            );
        }
    }
}

/// `same_sound` is the equality of the two codes, whether or not the memo
/// holds them yet.
#[test]
fn same_sound_is_equal_codes() {
    let names = [
        "olena",
        "olena",
        "alena",
        "kovalenko",
        "kowalenko",
        "",
        "smith",
        "smyth",
    ];
    for a in names {
        for b in names {
            let want = phonetic(a) == phonetic(b);
            assert_eq!(same_sound(a, b), want, "{a} / {b} (memo warm)");
        }
    }
    // Cold: the memo fills as the codes are computed.
    MEMO.with(|m| m.borrow_mut().clear());
    assert!(same_sound("smith", "smyth"));
    MEMO.with(|m| m.borrow_mut().clear());
    assert!(!same_sound("olena", "smith"));
    assert!(MEMO.with(|m| m.borrow().contains_key("olena")));
}

#[test]
fn garbled_agrees_with_its_definition() {
    let words = [
        "jackson",
        "jvzckhsor",
        "andrew",
        "cnd",
        "anna",
        "maria",
        "olena",
        "mariia",
        "jw",
        "owen",
        "rosa",
        "sa",
        "tulsa",
        "tnlsa",
        "ab",
        "ba",
        "a",
        "",
        "олена",
        "оелна",
    ];
    for a in words {
        for b in words {
            let short = a.chars().count().min(b.chars().count());
            let common = lcs(a, b);
            assert_eq!(
                garbled(a, b),
                common >= 2 && 3 * common >= 2 * short,
                "{a:?} / {b:?}"
            );
        }
    }
}

/// The prior of a registry of `n` persons under the default duplicate rate.
fn prior_of(n: f64) -> f64 {
    let l = Params::default().dup_rate / n;
    (l / (1.0 - l)).log2()
}

fn shape(fields: &[usize]) -> Vec<Option<usize>> {
    (0..FIELDS.len())
        .map(|f| fields.contains(&f).then_some(0))
        .collect()
}

#[test]
fn the_link_threshold_comes_from_the_target_precision() {
    let p = Params::default();
    let sparse = shape(&[GIVEN, FAMILY, DOB]);
    let rich = shape(&[
        GIVEN, FAMILY, DOB, GENDER, TAX_ID, PHONE, EMAIL, ADDRESS, CITY, POSTCODE,
    ]);
    // Never above the target itself, never below the floor.
    for n in [1e3, 1e4, 1e5, 1e6, 1e7] {
        for s in [&sparse, &rich] {
            let t = link_threshold(&p, s, prior_of(n));
            assert!(t <= p.auto_link && t >= link_floor(&p), "{n} {t}");
        }
    }
    assert_eq!(link_floor(&p), 99.0);
    // A small registry of names and birth dates: a near miss is priced
    // against the sure links around it, down to the floor.
    assert_eq!(link_threshold(&p, &sparse, prior_of(1e3)), 99.0);
    // A million persons compared on names and birth date alone: the exact
    // agreement itself is only just sure, so nothing lower links.
    assert_eq!(link_threshold(&p, &sparse, prior_of(1e6)), p.auto_link);
    // The larger the registry, the stricter (or equal) the level.
    let mut last = 0.0;
    for n in [1e3, 1e4, 1e5, 1e6, 1e7] {
        let t = link_threshold(&p, &sparse, prior_of(n));
        assert!(t >= last, "{n}: {t} < {last}");
        last = t;
    }
    // A stricter target raises the level and its floor.
    let strict = Params {
        auto_link: 99.99,
        ..Params::default()
    };
    assert!(link_threshold(&strict, &sparse, prior_of(1e3)) >= 99.9);
}

/// Words for the Jaro–Winkler tests: repeats, transpositions, prefixes,
/// non-ASCII letters, and pairs that share every letter, some, or none.
const JW_WORDS: &[&str] = &[
    "",
    "a",
    "ab",
    "ba",
    "martha",
    "marhta",
    "dixon",
    "dicksonx",
    "jellyfish",
    "smellyfish",
    "kovalenko",
    "kowalenko",
    "olena",
    "olenka",
    "aaaa",
    "aaab",
    "abcdefghijklmnopqrstuvwxyz",
    "zyxwvutsrqponmlkjihgfedcba",
    "crate",
    "trace",
    "dwayne",
    "duane",
    "müller",
    "muller",
    "олена",
    "olena p",
    "5496 copper pl",
    "5496 coper pl",
    "jon",
    "john",
    "johnathan",
    "nathan",
    "ann",
    "anna",
    "hannah",
    "san diego",
    "san jose",
    "arlington",
    "lexington",
];

/// The byte-wise Jaro–Winkler is strsim's, to the last bit, on
/// [`JW_WORDS`].
#[test]
fn jaro_winkler_is_strsims() {
    for a in JW_WORDS {
        for b in JW_WORDS {
            assert_eq!(
                jaro_winkler(a, b).to_bits(),
                strsim::jaro_winkler(a, b).to_bits(),
                "{a:?} vs {b:?}"
            );
        }
    }
}

/// The most [`jaro_winkler`] could be from [`super::shared_bytes`]'
/// bound; `None` where it does not apply.
fn jw_bound(a: &str, b: &str) -> Option<f64> {
    super::shared_bytes(a, b).map(|n| super::jaro_winkler_most(a, b, n))
}

/// The bound from shared bytes is never below the similarity, so the
/// threshold tests answer as the similarity itself would, on
/// [`JW_WORDS`] (the non-ASCII ones it does not bound).
#[test]
fn jaro_winkler_at_least_answers_as_the_similarity_does() {
    let mut pruned = 0;
    for a in JW_WORDS {
        for b in JW_WORDS {
            let jw = jaro_winkler(a, b);
            if let Some(most) = jw_bound(a, b) {
                assert!(most >= jw, "{a:?} vs {b:?}: bound {most} below {jw}");
            }
            for t in [0.70, 0.80, 0.90, 0.92] {
                let quick = jaro_winkler_at_least(a, b, t);
                assert_eq!(quick, jw >= t, "{a:?} vs {b:?} at {t}");
                pruned += usize::from(jw_bound(a, b).is_some_and(|most| most < t - 1e-9));
            }
        }
    }
    assert!(pruned > 1000, "the bound decides most pairs: {pruned}");
}

/// The bound on the bytes two strings share, by its definition: of the
/// bytes of each, how many the other holds (by their low six bits),
/// whichever is fewer; never below the multiset intersection, on which
/// the Jaro matches and the longest common subsequence are bounded.
#[test]
fn shared_bytes_bounds_the_bytes_in_common() {
    for a in JW_WORDS {
        for b in JW_WORDS {
            let held = |s: &str, t: &str| {
                s.bytes()
                    .filter(|c| t.bytes().any(|d| d & 63 == c & 63))
                    .count()
            };
            let mut left: Vec<u8> = b.bytes().collect();
            let mut common = 0;
            for c in a.bytes() {
                if let Some(i) = left.iter().position(|d| *d == c) {
                    left.swap_remove(i);
                    common += 1;
                }
            }
            let plain = !a.is_empty() && !b.is_empty() && a.is_ascii() && b.is_ascii();
            let short = a.len() <= 64 && b.len() <= 64;
            let expect = (plain && short).then(|| held(a, b).min(held(b, a)));
            assert_eq!(super::shared_bytes(a, b), expect, "{a:?} / {b:?}");
            if let Some(n) = expect {
                assert!(common <= n && lcs(a, b) <= n, "{a:?} / {b:?}");
            }
        }
    }
    assert_eq!(super::shared_bytes("anna", "nana"), Some(4));
    assert_eq!(super::shared_bytes("anna", "an"), Some(2));
    assert_eq!(super::shared_bytes("abc", "ca"), Some(2));
    assert_eq!(super::shared_bytes("olena", "олена"), None);
}

/// A string's signature bounds what it shares with another from above,
/// never below [`shared_bytes`]' pass over both, and two signatures joined
/// are the joined string's.
#[test]
fn signatures_bound_the_bytes_in_common() {
    use super::Sig;
    let mut rejected = 0;
    for a in JW_WORDS {
        for b in JW_WORDS {
            let bound = Sig::of(a).bound(Sig::of(b));
            match super::shared_bytes(a, b) {
                Some(n) => {
                    let most = bound.expect("bounded where the passes are");
                    assert!(most >= n, "{a:?} / {b:?}: {most} < {n}");
                    assert!(most <= a.len().min(b.len()));
                    rejected += usize::from(most < a.len().min(b.len()));
                }
                None => assert_eq!(bound, None, "{a:?} / {b:?}"),
            }
            let both = format!("{a}{b}");
            assert_eq!(Sig::of(a).then(Sig::of(b)), Sig::of(&both), "{a:?} + {b:?}");
        }
    }
    assert!(
        rejected > 100,
        "the signatures alone often bound: {rejected}"
    );
    assert_eq!(Sig::of("anna").bound(Sig::of("nana")), Some(4));
    assert_eq!(Sig::of("").bound(Sig::of("a")), None);
}

/// A signature built four bytes at a time is the one built a byte at a
/// time: the mask of the bytes' low six bits, for ASCII strings of at most
/// 64 bytes (every length to 65, every remainder of four), and none for
/// longer or non-ASCII ones.
#[test]
fn signatures_are_built_as_byte_by_byte() {
    use super::Sig;
    let byte_by_byte = |s: &str| -> Option<u64> {
        let b = s.as_bytes();
        (b.len() <= 64 && b.iter().all(u8::is_ascii))
            .then(|| b.iter().fold(0u64, |m, c| m | 1u64 << (c & 63)))
    };
    let text = "the quick brown fox jumps over the lazy dog 0123456789 AEIOU-'. xyz";
    let mut strings: Vec<String> = (0..=65).map(|n| text[..n].to_string()).collect();
    strings.extend(JW_WORDS.iter().map(|w| w.to_string()));
    strings.extend(["олена", "zoë", "a\u{80}", "\u{7f}"].map(String::from));
    for s in &strings {
        let sig = Sig::of(s);
        match byte_by_byte(s) {
            Some(mask) => assert_eq!(sig, Sig::from_parts(mask, s.len()), "{s:?}"),
            None => assert_eq!(sig, Sig::NONE, "{s:?}"),
        }
    }
}

#[test]
fn lcs_on_the_stack_is_the_textbook_one() {
    fn textbook(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut t = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                t[i][j] = if a[i - 1] == b[j - 1] {
                    t[i - 1][j - 1] + 1
                } else {
                    t[i - 1][j].max(t[i][j - 1])
                };
            }
        }
        t[a.len()][b.len()]
    }
    let long = "x".repeat(70) + "abc";
    let words = [
        "",
        "a",
        "jackson",
        "jvzckhsor",
        "12 high street",
        "12 hgih st",
        "олена",
        "оелна",
        long.as_str(),
    ];
    let sixty_four = "ab".repeat(32);
    let mut all: Vec<String> = words
        .iter()
        .chain(JW_WORDS)
        .map(|w| w.to_string())
        .collect();
    all.extend([
        sixty_four.clone(),
        sixty_four[1..].to_string(),
        "ba".repeat(32),
    ]);
    // Strings over a small alphabet, where most bytes repeat (the
    // bit-parallel row's carries): a fixed pseudo-random walk.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for n in 0..60 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 23) as usize + n % 3;
        all.push(
            (0..len)
                .map(|i| b"ab c1"[((x >> (i * 2)) % 5) as usize] as char)
                .collect(),
        );
    }
    for a in &all {
        for b in &all {
            assert_eq!(lcs(a, b), textbook(a, b), "{a:?} / {b:?}");
        }
    }
}

#[test]
fn classify_links_only_a_sure_unheld_candidate() {
    use super::{Class, classify};
    // At the link level and nothing holds it: linked.
    assert_eq!(classify(99.95, 99.9, false, 80.0), Class::Link);
    assert_eq!(classify(99.9, 99.9, false, 80.0), Class::Link);
    // Sure but held (a conflict, household evidence only): a person decides.
    assert_eq!(classify(99.95, 99.9, true, 80.0), Class::Review);
    // Below the link level, at or above review: a person decides.
    assert_eq!(classify(85.0, 99.9, false, 80.0), Class::Review);
    assert_eq!(classify(80.0, 99.9, false, 80.0), Class::Review);
    // Below review: shown, never acted on.
    assert_eq!(classify(79.9, 99.9, false, 80.0), Class::Possible);
    assert_eq!(classify(79.9, 99.9, true, 80.0), Class::Possible);
    // A field set that links lower than the review level still links.
    assert_eq!(classify(75.0, 70.0, false, 80.0), Class::Link);
}

/// The import's writer weighs comparisons the scorer made, with weights
/// worked out once per model: the score is `score_only`'s to the bit, with
/// and without term frequencies, for every pair of a varied set.
#[test]
fn weighing_apart_is_score_only_to_the_bit() {
    struct Known;
    impl TermFrequency for Known {
        fn tf(&self, field: usize, value: &str) -> Option<f64> {
            (value.len() > 3).then_some(0.001 * (field + 1) as f64)
        }
        fn population(&self) -> Option<f64> {
            Some(250_000.0)
        }
    }
    let set = [
        pat(),
        rec(
            json!({"givenName": "Patricia", "sn": "Lee", "dateOfBirth": "1983-18-03", "mobile": "8185551234", "city": "Los Angeles"}),
        ),
        rec(
            json!({"givenName": "Lee", "sn": "Pat", "dateOfBirth": "1983-03-18", "gender": "M", "city": "Los Angelos"}),
        ),
        rec(
            json!({"givenName": "Olena", "sn": "Kovalenko", "dateOfBirth": "1986-04-12", "street": "Khreshchatyk", "houseNumber": "1", "postalCode": "01001"}),
        ),
        rec(
            json!({"givenName": "Olena", "sn": "Kowalenko", "dateOfBirth": "1986-04-21", "street": "Khreschatyk", "houseNumber": "1", "postalCode": "01002"}),
        ),
        rec(
            json!({"givenName": "Michael", "sn": "Brown", "hashedSSN": "FFFF", "email": "m@b.org"}),
        ),
    ];
    let mut p = Params::default();
    p.m[GIVEN][1] = 0.0; // a floor in `level_weight`, kept in the table
    let w = Weights::of(&p);
    for tf in [&NoTf as &dyn TermFrequency, &Known, &CommonSmith] {
        let prior = prior_weight_in(&p, tf);
        for a in &set {
            for b in &set {
                let compared = crate::core::matching::levels(a, b);
                let packed = pack_levels(&compared);
                assert_eq!(unpack_levels(&packed), compared, "levels survive packing");
                let alone = score_only(a, &b.view(), &p, tf).to_bits();
                assert_eq!(
                    weigh_with(&packed, &w.for_record(a, &p, tf), prior).to_bits(),
                    alone,
                    "{a:?} / {b:?}"
                );
                assert_eq!(
                    weigh_pair(a, &compared, &p, tf).score.to_bits(),
                    alone,
                    "{a:?} / {b:?}"
                );
            }
        }
    }
    // The three weighings read the term frequency of the same fields.
    let r = &set[1];
    for f in 0..FIELD_COUNT {
        let value = match f {
            GIVEN => "Patricia",
            FAMILY => "Lee",
            CITY => "los angeles",
            _ => "",
        };
        assert_eq!(
            super::tf_value(r, f).to_lowercase(),
            value.to_lowercase(),
            "field {f}"
        );
        assert_eq!(super::tf_slot(f).is_some(), !value.is_empty(), "field {f}");
    }
}

/// The bit-mask Jaro–Winkler is strsim's to the last bit on many random
/// ASCII pairs: short alphabets (repeats, transpositions), lengths from 0
/// to 64, one string a typo of the other.
#[test]
fn jaro_winkler_is_strsims_on_random_pairs() {
    // A seeded xorshift: the core takes no randomness from outside.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |below: usize| -> usize {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % below as u64) as usize
    };
    for n in 0..20_000 {
        let alphabet: &[u8] = if n % 2 == 0 {
            b"ab"
        } else {
            b"abcdefghij klmnop"
        };
        let mut word = |len: usize| -> String {
            (0..len)
                .map(|_| alphabet[next(alphabet.len())] as char)
                .collect()
        };
        let a = word(n % 65);
        let b = if n % 3 == 0 {
            // A typo of `a`: two neighbours swapped.
            let mut v = a.clone().into_bytes();
            if v.len() > 1 {
                let i = (n * 7) % (v.len() - 1);
                v.swap(i, i + 1);
            }
            String::from_utf8(v).unwrap()
        } else {
            word((n * 31 + 7) % 65)
        };
        let jw = jaro_winkler(&a, &b);
        assert_eq!(
            jw.to_bits(),
            strsim::jaro_winkler(&a, &b).to_bits(),
            "{a:?} vs {b:?}"
        );
        if let Some(most) = jw_bound(&a, &b) {
            assert!(most >= jw, "{a:?} vs {b:?}: bound {most} below {jw}");
        }
    }
}

/// Names' sounds worked out beforehand (packed records, imported rows)
/// give the levels the memo gives: sounding alike, garbled, unrelated,
/// swapped, nicknames, and names without a sound.
#[test]
fn sounds_given_beforehand_compare_as_looked_up() {
    let names = [
        ("Stephen", "Smith"),
        ("Steven", "Smyth"),
        ("Katherine", "Jackson"),
        ("Catherine", "Jvzckhsor"),
        ("Smith", "Stephen"),
        ("Bill", "Olsen"),
        ("William", "Olson"),
        ("Xy", "Schmidt"),
        ("Aa", "Ae"),
        ("Knight", "Wright"),
        ("Nite", "Rite"),
        ("Rite", "Nite"),
        ("Geoff", "Knight"),
        ("Jeff", "Wright"),
    ];
    let recs: Vec<MatchRecord> = names
        .iter()
        .map(|(g, f)| rec(json!({"givenName": g, "sn": f, "dateOfBirth": "1980-01-01"})))
        .collect();
    let sounds: Vec<[String; 2]> = recs
        .iter()
        .map(|r| [phonetic(&r.given), phonetic(&r.family)])
        .collect();
    for (a, sa) in recs.iter().zip(&sounds) {
        for (b, sb) in recs.iter().zip(&sounds) {
            fn with<'a>(r: &'a MatchRecord, s: &'a [String; 2]) -> RecordView<'a> {
                RecordView {
                    sounds: Some([s[0].as_str(), s[1].as_str()]),
                    ..r.view()
                }
            }
            assert_eq!(
                levels_of(&with(a, sa), &with(b, sb)),
                crate::core::matching::levels(a, b),
                "{a:?} / {b:?}"
            );
        }
    }
}

/// A person's records compared one after another with a row take the
/// levels of an earlier record's equal fields, and those are the levels
/// each record gets alone: records drawn from small pools of values (so
/// that fields repeat between records with others changed beside them:
/// the same street at another house number, the same given name with
/// another family name), every one against every row.
#[test]
fn levels_after_earlier_records_are_the_levels_alone() {
    let pools: [(&str, &[&str]); 9] = [
        (
            "givenName",
            &["Stephen", "Steven", "Smith", "Katherine", "", "Jvzckhsor"],
        ),
        ("sn", &["Smith", "Smyth", "Stephen", "Jackson", ""]),
        ("middleName", &["Anne", "A", "Ann", "", "Marie"]),
        (
            "dateOfBirth",
            &["1980-01-02", "1980-02-01", "1981-01-02", ""],
        ),
        (
            "street",
            &[
                "Poplar Ave",
                "q3539 Poplar Ave",
                "PoplarAve",
                "Lake Blvd",
                "",
            ],
        ),
        ("houseNumber", &["3539", "3593", "12", ""]),
        (
            "city",
            &["Galashiels", "Galashierls", "talashies", "Zaragoza", ""],
        ),
        ("postalCode", &["TD1 1AA", "TD1 1AB", ""]),
        ("tax_id", &["123456789", "123456798", ""]),
    ];
    // A small linear congruential generator: the same records every run.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut pick = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state >> 33) as usize % n
    };
    let recs: Vec<MatchRecord> = (0..60)
        .map(|_| {
            let mut m = serde_json::Map::new();
            for (field, values) in &pools {
                let v = values[pick(values.len())];
                if !v.is_empty() {
                    m.insert((*field).into(), json!(v));
                }
            }
            rec(serde_json::Value::Object(m))
        })
        .collect();
    let sounds: Vec<[String; 2]> = recs
        .iter()
        .map(|r| [phonetic(&r.given), phonetic(&r.family)])
        .collect();
    let views: Vec<RecordView<'_>> = recs
        .iter()
        .zip(&sounds)
        .map(|(r, s)| RecordView {
            sounds: Some([s[0].as_str(), s[1].as_str()]),
            ..r.view()
        })
        .collect();
    let mut reused = 0;
    for (i, a) in views.iter().enumerate() {
        let sa = Sigs::of(a);
        // "Persons" of up to six records, one after another.
        for (p, person) in views.chunks(6).enumerate() {
            let mut earlier: Vec<[Option<usize>; FIELD_COUNT]> = Vec::new();
            for (j, b) in person.iter().enumerate() {
                let alone = levels_sig(a, &sa, b);
                // The names' sounds given or worked out: the same levels.
                assert_eq!(
                    alone,
                    super::levels(&recs[i], &recs[6 * p + j]),
                    "{a:?} / {b:?}"
                );
                let after = levels_after(a, &sa, b, &person[..j], &earlier);
                assert_eq!(
                    after,
                    alone,
                    "{a:?} / {b:?} after {} records",
                    earlier.len()
                );
                reused += usize::from(person[..j].iter().any(|e| e.city == b.city));
                earlier.push(after);
            }
            // The same levels, person by person, as the scorers compare.
            let mut each = Vec::new();
            let mut room = Vec::new();
            levels_of_records(a, &sa, person, &mut room, |l| each.push(l));
            assert_eq!(each, earlier, "{a:?}");
        }
    }
    // The pools are small enough that fields repeat: reuse was exercised.
    assert!(
        reused > 1000,
        "only {reused} comparisons could reuse a city"
    );
}

/// Fields packed one after the other are read back whole, each with its
/// length: a length below 128 is one byte, a longer one a character of
/// several, and a field past [`record::PACKED_FIELD_MAX`] is cut at a
/// character's boundary. A length running past the end gives what is left.
#[test]
fn packed_fields_are_read_back_whole() {
    use super::record::{PACKED_FIELD_MAX, pack_field, take_field};
    let long = "é".repeat(PACKED_FIELD_MAX);
    let fields = [
        String::new(),
        "a".into(),
        "x".repeat(127),
        "y".repeat(128),
        "Ålesund Ørsta".into(),
        "z".repeat(300),
        "ґ".repeat(70),
        long.clone(),
        "last".into(),
    ];
    let mut packed = String::new();
    for f in &fields {
        pack_field(&mut packed, f);
    }
    let mut rest = packed.as_str();
    for f in &fields[..7] {
        assert_eq!(take_field(&mut rest), f.as_str());
    }
    let cut = take_field(&mut rest);
    assert!(cut.len() <= PACKED_FIELD_MAX && long.starts_with(cut) && cut.len() > 1000);
    assert_eq!(take_field(&mut rest), "last");
    assert_eq!((take_field(&mut rest), rest), ("", ""));
    // A length longer than what follows (a one-byte and a longer length).
    let mut short = "\u{5}abc";
    assert_eq!((take_field(&mut short), short), ("abc", ""));
    let mut short = "\u{200}abc";
    assert_eq!((take_field(&mut short), short), ("abc", ""));
}

/// [`super::jw_most_below`] answers as the floating-point bound does, for
/// every pair of lengths up to 64, every count of shared bytes, every
/// common prefix and every threshold the comparisons use; where the
/// similarity is 0.7 exactly it may keep a pair the floating-point bound
/// rules out, never the other way round.
#[test]
fn the_bound_in_integers_is_the_bound() {
    let letters: Vec<u8> = (b'0'..=b'~').collect();
    let (mut kept, mut ruled_out) = (0, 0);
    for x in 1..=64usize {
        for y in 1..=64usize {
            for p in 0..=4.min(x).min(y) {
                // `a` and `b` share exactly their first `p` bytes.
                let a: String = letters[..x].iter().map(|c| *c as char).collect();
                let b: String = letters[..p]
                    .iter()
                    .chain(letters[..y - p].iter().rev())
                    .map(|c| *c as char)
                    .collect();
                let b = if p < y && b.as_bytes()[p] == a.as_bytes().get(p).copied().unwrap_or(0) {
                    // Keep the prefix at `p`: the byte after it differs.
                    let mut v = b.into_bytes();
                    v[p] = b'#';
                    String::from_utf8(v).unwrap()
                } else {
                    b
                };
                for m in 0..=x.min(y) {
                    for t in [0.70, 0.80, 0.90, 0.92] {
                        let float = super::jaro_winkler_most(&a, &b, m) < t - 1e-9;
                        let int = super::jw_most_below(&a, &b, m, t);
                        let (n, d) = (m * (x + y) + x * y, 3 * x * y);
                        if 10 * n == 7 * d {
                            assert!(!int || float, "{x} {y} {m} {p} at {t}");
                        } else {
                            assert_eq!(int, float, "{x} {y} {m} {p} at {t}: {a:?} / {b:?}");
                        }
                        kept += usize::from(!int);
                        ruled_out += usize::from(int);
                    }
                }
            }
        }
    }
    assert!(
        kept > 100_000 && ruled_out > 100_000,
        "{kept} kept, {ruled_out} ruled out"
    );
}

/// A pair weighed without words is the explanation's numbers to the bit,
/// term frequencies and a population included: the engine decides on the
/// one and shows the other.
#[test]
fn weighing_without_words_is_the_explanations_numbers() {
    struct Rare;
    impl TermFrequency for Rare {
        fn tf(&self, field: usize, value: &str) -> Option<f64> {
            (field == GIVEN && value == "pat").then_some(1e-5)
        }
        fn population(&self) -> Option<f64> {
            Some(250_000.0)
        }
    }
    let p = Params::default();
    let other = rec(
        json!({"givenName": "Pat", "sn": "Leigh", "dateOfBirth": "1983-03-19", "city": "Lviv", "gender": "F"}),
    );
    for b in [pat(), other] {
        for tf in [&Rare as &dyn TermFrequency, &NoTf] {
            let levels = compare(&pat(), &b);
            let w = weigh_pair(&pat(), &levels, &p, tf);
            let e = score_levels(&pat(), &b, &levels, &p, tf);
            assert_eq!(e.weighed(), w);
            assert_eq!(word(&pat(), &b, &levels, &w), e);
            let sum = e.fields.iter().fold(e.prior, |t, f| t + f.weight);
            assert_eq!(sum.to_bits(), w.score.to_bits());
            assert_eq!(e.fields[GIVEN].weight, w.weights[GIVEN]);
        }
    }
    // The rare given name weighs more than the average one.
    let levels = compare(&pat(), &pat());
    assert!(
        weigh_pair(&pat(), &levels, &p, &Rare).weights[GIVEN]
            > weigh_pair(&pat(), &levels, &p, &NoTf).weights[GIVEN]
    );
}

/// Every kind of blocking key, spelt out: the keys' hashes are stored
/// with each record, so a key must read the same from one version to the
/// next.
#[test]
fn blocking_keys_are_spelt_as_stored() {
    let r = rec(
        json!({"givenName": "Olena", "sn": "Kovalenko", "dateOfBirth": "1986-04-12", "tax_id": "1234567890", "mobile": "0501234567", "email": "o@k.ua", "postalCode": "01001", "documentNumbers": ["AB123456"]}),
    );
    let (g, f) = (phonetic(&r.given), phonetic(&r.family));
    let id = &r.ids[0];
    let mut want: Vec<String> = [
        format!("t:{}", r.tax_id),
        format!("p:{}", r.phone),
        format!("e:{}", r.email),
        format!("i:{id}"),
        format!("nd:{f}:19860412"),
        format!("nd:{g}:19860412"),
        "dp:19860412:01001".to_string(),
        format!("fgy:{f}:{g}:1986"),
        format!("fgm:{f}:{g}:0412"),
        format!("np:{f}:01001"),
        format!("np:{g}:01001"),
        "py:01001:1986".to_string(),
        "pm:01001:0412".to_string(),
    ]
    .into();
    want.sort();
    want.dedup();
    assert_eq!(r.blocking_keys(), want);
    // Without a birth date: both names' sounds, either way round.
    let r = rec(json!({"givenName": "Olena", "sn": "Kovalenko"}));
    let mut want = vec![format!("fg:{f}:{g}"), format!("fg:{g}:{f}")];
    want.sort();
    assert_eq!(r.blocking_keys(), want);
}
