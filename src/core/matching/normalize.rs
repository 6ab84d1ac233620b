//! Normalisation: fold case, diacritics, punctuation and whitespace, and
//! transliterate Ukrainian (and Russian) Cyrillic to Latin, so that
//! "Олена Коваленко" meets "Olena Kovalenko".

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

/// Ukrainian national romanisation (KMU 2010), position-independent form,
/// plus the Russian letters Ukrainian lacks.
fn translit(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "h",
        'ґ' => "g",
        'д' => "d",
        'е' => "e",
        'є' => "ie",
        'ж' => "zh",
        'з' => "z",
        'и' => "y",
        'і' => "i",
        'ї' => "i",
        'й' => "i",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ь' | 'ъ' | '\'' | '’' | 'ʼ' => "",
        'ю' => "iu",
        'я' => "ia",
        'ё' => "e",
        'ы' => "y",
        'э' => "e",
        _ => return None,
    })
}

/// Fold a free-text value: lower case, Latin script, no diacritics, no
/// punctuation, single spaces. `fold("  O'Brien-Smith ") == "obrien smith"`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    let mut one = |out: &mut String, c: char| {
        if let Some(t) = translit(c) {
            out.push_str(t);
            space = false;
            return;
        }
        // An ASCII character is its own decomposition: most values are
        // ASCII, and decomposing each character was a tenth of the
        // import's reader.
        let mut keep = |d: char| {
            if d.is_ascii_alphanumeric() {
                out.push(d);
                space = false;
            } else if (d.is_whitespace()
                || d == '-'
                || d == '_'
                || d == '/'
                || d == ','
                || d == '.')
                && !space
            {
                out.push(' ');
                space = true;
            }
            // Combining marks and other punctuation vanish.
        };
        match c.is_ascii() {
            true => keep(c),
            false => std::iter::once(c).nfkd().for_each(keep),
        }
    };
    for c in s.chars() {
        match c.is_ascii() {
            true => one(&mut out, c.to_ascii_lowercase()),
            false => c.to_lowercase().for_each(|l| one(&mut out, l)),
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

/// A name folded and with spaces removed: "Mary Ann" and "Maryann" agree.
pub fn name_key(s: &str) -> String {
    fold(s).replace(' ', "")
}

/// Keep only ASCII digits and letters, upper-cased (ids, document numbers).
/// Cyrillic letters are transliterated first so АА123456 is stable.
pub fn id_key(s: &str) -> String {
    fold(s).replace(' ', "").to_ascii_uppercase()
}

/// Digits of a phone number, without the country prefix: the last 9 digits.
pub fn phone_key(s: &str) -> String {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let n = digits.len();
    if n > 9 {
        digits[n - 9..].to_string()
    } else {
        digits
    }
}

pub fn email_key(s: &str) -> String {
    s.trim().to_lowercase()
}

/// `MALE`/`FEMALE`/`M`/`F`/`ч`/`ж` to `M` or `F`; anything else is unknown.
pub fn gender_key(s: &str) -> String {
    match fold(s).as_str() {
        "m" | "male" | "man" | "ch" | "cholovicha" => "M".into(),
        "f" | "female" | "woman" | "w" | "zh" | "zhinocha" => "F".into(),
        _ => String::new(),
    }
}

/// `d` as chrono's `%Y-%m-%d` (`dashes`) or `%Y%m%d` writes it, without
/// reading a format string: the import writes three dates a row. Years
/// outside 0–9999 (never a birth date read here) go through chrono.
pub fn date_string(d: NaiveDate, dashes: bool) -> String {
    use chrono::Datelike;
    let Ok(year @ 0..=9999) = u32::try_from(d.year()) else {
        return d
            .format(if dashes { "%Y-%m-%d" } else { "%Y%m%d" })
            .to_string();
    };
    let digits = |n: u32, width: u32| {
        (0..width)
            .rev()
            .map(move |place| char::from(b'0' + (n / 10u32.pow(place) % 10) as u8))
    };
    let sep = dashes.then_some('-');
    digits(year, 4)
        .chain(sep)
        .chain(digits(d.month(), 2))
        .chain(sep)
        .chain(digits(d.day(), 2))
        .collect()
}

/// A birth date as extracts write it: `YYYY-MM-DD`, `YYYYMMDD`,
/// `YYYY/MM/DD`, `DD-MM-YYYY`, `DD.MM.YYYY`, `DD/MM/YYYY`. Year first with
/// an impossible month is read as year-day-month; day first with an
/// impossible month as month-day-year (the matcher compares swapped days
/// and months anyway). Strict: 2023-02-30 is not a date.
pub fn parse_birth_date(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        // As chrono reads `%Y%m%d`: four digits, two and two. The digits
        // are read here: the import reads three dates a row, and chrono
        // parses its format string each time.
        let num = |r: std::ops::Range<usize>| t[r].parse::<u32>().ok();
        return NaiveDate::from_ymd_opt(num(0..4)? as i32, num(4..6)?, num(6..8)?);
    }
    if t.len() != 10 {
        return None;
    }
    let mut parts = t.split(['-', '/', '.']);
    let (Some(a), Some(b), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let num = |x: &str| -> Option<u32> {
        (!x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()))
            .then(|| x.parse().ok())
            .flatten()
    };
    let (first, second, third) = (num(a)?, num(b)?, num(c)?);
    let date = |y: u32, m: u32, d: u32| NaiveDate::from_ymd_opt(y as i32, m, d);
    if a.len() == 4 && b.len() == 2 && c.len() == 2 {
        date(first, second, third).or_else(|| date(first, third, second))
    } else if a.len() == 2 && b.len() == 2 && c.len() == 4 {
        date(third, second, first).or_else(|| date(third, first, second))
    } else {
        None
    }
}

/// Common given-name equivalences (English and Ukrainian diminutives), as
/// (nickname, canonical) pairs of folded names.
const NICKNAMES: &[(&str, &str)] = &[
    ("bill", "william"),
    ("will", "william"),
    ("billy", "william"),
    ("liam", "william"),
    ("bob", "robert"),
    ("bobby", "robert"),
    ("rob", "robert"),
    ("robbie", "robert"),
    ("dick", "richard"),
    ("rick", "richard"),
    ("rich", "richard"),
    ("jim", "james"),
    ("jimmy", "james"),
    ("jamie", "james"),
    ("mike", "michael"),
    ("mick", "michael"),
    ("mikey", "michael"),
    ("tom", "thomas"),
    ("tommy", "thomas"),
    ("joe", "joseph"),
    ("joey", "joseph"),
    ("jack", "john"),
    ("johnny", "john"),
    ("jon", "john"),
    ("dave", "david"),
    ("davy", "david"),
    ("dan", "daniel"),
    ("danny", "daniel"),
    ("chris", "christopher"),
    ("kit", "christopher"),
    ("matt", "matthew"),
    ("tony", "anthony"),
    ("andy", "andrew"),
    ("drew", "andrew"),
    ("steve", "stephen"),
    ("steven", "stephen"),
    ("ed", "edward"),
    ("eddie", "edward"),
    ("ted", "edward"),
    ("sam", "samuel"),
    ("ben", "benjamin"),
    ("nick", "nicholas"),
    ("alex", "alexander"),
    ("sandy", "alexander"),
    ("greg", "gregory"),
    ("pete", "peter"),
    ("charlie", "charles"),
    ("chuck", "charles"),
    ("harry", "henry"),
    ("hank", "henry"),
    ("larry", "lawrence"),
    ("jerry", "gerald"),
    ("fred", "frederick"),
    ("tim", "timothy"),
    ("jeff", "jeffrey"),
    ("josh", "joshua"),
    ("nate", "nathan"),
    ("liz", "elizabeth"),
    ("beth", "elizabeth"),
    ("betty", "elizabeth"),
    ("lizzie", "elizabeth"),
    ("eliza", "elizabeth"),
    ("kate", "katherine"),
    ("katie", "katherine"),
    ("kathy", "katherine"),
    ("catherine", "katherine"),
    ("kathryn", "katherine"),
    ("meg", "margaret"),
    ("maggie", "margaret"),
    ("peggy", "margaret"),
    ("sue", "susan"),
    ("susie", "susan"),
    ("jenny", "jennifer"),
    ("jen", "jennifer"),
    ("becky", "rebecca"),
    ("abby", "abigail"),
    ("patty", "patricia"),
    ("pat", "patricia"),
    ("pat", "patrick"),
    ("paddy", "patrick"),
    ("trish", "patricia"),
    ("debbie", "deborah"),
    ("deb", "deborah"),
    ("mandy", "amanda"),
    ("vicky", "victoria"),
    ("ellie", "eleanor"),
    ("nell", "eleanor"),
    ("annie", "anne"),
    ("ann", "anne"),
    ("anna", "anne"),
    ("molly", "mary"),
    ("polly", "mary"),
    ("sasha", "oleksandr"),
    ("sasha", "oleksandra"),
    ("sasha", "alexandra"),
    ("sasha", "aleksandra"),
    ("sashko", "oleksandr"),
    ("alexandr", "oleksandr"),
    ("aleksandr", "oleksandr"),
    ("alexander", "oleksandr"),
    ("oles", "oleksandr"),
    ("volodia", "volodymyr"),
    ("vova", "volodymyr"),
    ("vladimir", "volodymyr"),
    ("dima", "dmytro"),
    ("dmitrii", "dmytro"),
    ("dmitriy", "dmytro"),
    ("dmitry", "dmytro"),
    ("petro", "peter"),
    ("petia", "peter"),
    ("mykola", "nicholas"),
    ("kolia", "nicholas"),
    ("nikolai", "nicholas"),
    ("ivan", "john"),
    ("vania", "john"),
    ("ivanko", "john"),
    ("serhii", "serhiy"),
    ("sergei", "serhiy"),
    ("sergey", "serhiy"),
    ("serezha", "serhiy"),
    ("andrii", "andrew"),
    ("andriy", "andrew"),
    ("andrei", "andrew"),
    ("andrey", "andrew"),
    ("mykhailo", "michael"),
    ("mikhail", "michael"),
    ("misha", "michael"),
    ("yurii", "yuriy"),
    ("yuri", "yuriy"),
    ("iurii", "yuriy"),
    ("olia", "olha"),
    ("olga", "olha"),
    ("lena", "olena"),
    ("elena", "olena"),
    ("helen", "olena"),
    ("helena", "olena"),
    ("natasha", "nataliia"),
    ("natalia", "nataliia"),
    ("natalya", "nataliia"),
    ("natalie", "nataliia"),
    ("tania", "tetiana"),
    ("tanya", "tetiana"),
    ("tatiana", "tetiana"),
    ("tatyana", "tetiana"),
    ("katia", "kateryna"),
    ("katya", "kateryna"),
    ("ekaterina", "kateryna"),
    ("iryna", "irina"),
    ("ira", "irina"),
    ("mariia", "mary"),
    ("maria", "mary"),
    ("masha", "mary"),
    ("yulia", "yuliia"),
    ("iuliia", "yuliia"),
    ("julia", "yuliia"),
    ("oksana", "oksana"),
    ("sveta", "svitlana"),
    ("svetlana", "svitlana"),
    // Spelling variants across romanisations: Ukrainian national (KMU 2010,
    // as `fold` writes Cyrillic, position-independent), passport/ICAO and
    // Russian-style spellings of the same name.
    ("serhei", "serhii"),
    ("sergei", "serhii"),
    ("sergey", "serhii"),
    ("sergiy", "serhii"),
    ("serhiy", "serhii"),
    ("sergii", "serhii"),
    ("serhij", "serhii"),
    ("oleg", "oleh"),
    ("olga", "olha"),
    ("yulia", "iuliia"),
    ("yuliya", "iuliia"),
    ("julia", "iuliia"),
    ("iulia", "iuliia"),
    ("yuliia", "iuliia"),
    ("nikolai", "mykola"),
    ("nikolay", "mykola"),
    ("mikola", "mykola"),
    ("mikhail", "mykhailo"),
    ("mihail", "mykhailo"),
    ("mykhaylo", "mykhailo"),
    ("grigorii", "hryhorii"),
    ("grigoriy", "hryhorii"),
    ("grigory", "hryhorii"),
    ("hryhoriy", "hryhorii"),
    ("dmitrii", "dmytro"),
    ("dmitriy", "dmytro"),
    ("dmitry", "dmytro"),
    ("andrei", "andrii"),
    ("andrey", "andrii"),
    ("andriy", "andrii"),
    ("andrij", "andrii"),
    ("aleksei", "oleksii"),
    ("aleksey", "oleksii"),
    ("alexey", "oleksii"),
    ("oleksiy", "oleksii"),
    ("yuriy", "iurii"),
    ("yuri", "iurii"),
    ("yurii", "iurii"),
    ("jurij", "iurii"),
    ("vitaliy", "vitalii"),
    ("anatoliy", "anatolii"),
    ("vasilii", "vasyl"),
    ("vasiliy", "vasyl"),
    ("vasily", "vasyl"),
    ("pavel", "pavlo"),
    ("petr", "petro"),
    ("pyotr", "petro"),
    ("tatiana", "tetiana"),
    ("tatyana", "tetiana"),
    ("tetyana", "tetiana"),
    ("natalia", "nataliia"),
    ("natalya", "nataliia"),
    ("nataliya", "nataliia"),
    ("elena", "olena"),
    ("alena", "olena"),
    ("galina", "halyna"),
    ("halina", "halyna"),
    ("galyna", "halyna"),
    ("irina", "iryna"),
    ("ekaterina", "kateryna"),
    ("katerina", "kateryna"),
    ("svetlana", "svitlana"),
    ("lyudmila", "liudmyla"),
    ("ludmila", "liudmyla"),
    ("liudmila", "liudmyla"),
    ("lyudmyla", "liudmyla"),
    ("viktoriya", "viktoriia"),
    ("viktoria", "viktoriia"),
    ("victoria", "viktoriia"),
    ("mariya", "mariia"),
    ("maria", "mariia"),
    ("anastasiya", "anastasiia"),
    ("anastasia", "anastasiia"),
    ("valentina", "valentyna"),
    ("larisa", "larysa"),
    ("nadezhda", "nadiia"),
    ("nadiya", "nadiia"),
    ("vladimir", "volodymyr"),
    ("volodimir", "volodymyr"),
    ("wolodymyr", "volodymyr"),
    ("aleksandra", "oleksandra"),
    ("alexandra", "oleksandra"),
    ("evgenii", "yevhenii"),
    ("evgeniy", "yevhenii"),
    ("yevgeniy", "yevhenii"),
    ("yevheniy", "yevhenii"),
    ("ievhenii", "yevhenii"),
    ("ievhen", "yevhen"),
    ("evgen", "yevhen"),
    ("yana", "iana"),
];

/// The canonical form of a folded given name (itself when not a nickname).
/// Every name `folded` may stand for: itself and each full form it is a
/// diminutive of (Pat is Patrick or Patricia, Sasha Oleksandr or Oleksandra).
pub fn given_forms(folded: &str) -> Vec<&str> {
    let mut out = vec![folded];
    if let Some(canonical) = NICKNAME_INDEX.get(folded) {
        out.extend(canonical.iter().copied());
    }
    out
}

/// [`NICKNAMES`] by nickname: every comparison of two given names looks
/// both up, and a scan of the list cost a tenth of an import. Hashed with
/// FNV: the keys are short names compiled in, so SipHash's protection
/// buys nothing and its cost was most of a lookup.
static NICKNAME_INDEX: std::sync::LazyLock<
    std::collections::HashMap<&'static str, Vec<&'static str>, super::FnvBuild>,
> = std::sync::LazyLock::new(|| {
    let mut m: std::collections::HashMap<&str, Vec<&str>, super::FnvBuild> =
        std::collections::HashMap::default();
    for (n, c) in NICKNAMES {
        m.entry(*n).or_default().push(*c);
    }
    m
});

/// Are two folded given names the same name (equal, or one a diminutive
/// of the other, or both diminutives of one name)? The forms of each
/// ([`given_forms`]) meet, asked without collecting them: every candidate
/// of an import asks it.
pub fn same_given(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let full = |n: &str| NICKNAME_INDEX.get(n).map_or(&[][..], Vec::as_slice);
    let (fa, fb) = (full(a), full(b));
    fa.contains(&b) || fb.contains(&a) || fa.iter().any(|x| fb.contains(x))
}

pub fn canonical_given(folded: &str) -> &str {
    NICKNAME_INDEX
        .get(folded)
        .and_then(|c| c.first().copied())
        .unwrap_or(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`fold`] as it was before its ASCII path: every character lower-cased,
    /// transliterated or decomposed.
    fn fold_every_char(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut space = true;
        for c in s.chars().flat_map(char::to_lowercase) {
            if let Some(t) = translit(c) {
                out.push_str(t);
                space = false;
                continue;
            }
            for d in std::iter::once(c).nfkd() {
                if d.is_ascii_alphanumeric() {
                    out.push(d);
                    space = false;
                } else if (d.is_whitespace() || "-_/,.".contains(d)) && !space {
                    out.push(' ');
                    space = true;
                }
            }
        }
        out.trim_end_matches(' ').to_string()
    }

    /// The ASCII path folds as decomposing every character did: every
    /// ASCII character, after and around spaces and apostrophes (which
    /// are transliterated to nothing), mixed with letters that are
    /// decomposed, transliterated or lower-cased to more than one.
    #[test]
    fn folding_ascii_is_folding_every_character() {
        let odd = ["é", "Ї", "щ", "İ", "ß", "Å", "ﬁ", "’", " ", "'", "\u{301}"];
        let mut cases: Vec<String> = Vec::new();
        for a in (0u8..128).map(char::from) {
            for b in [" ", "'", "a", "-", "É", "x y"] {
                cases.push(format!("{a}{b}{a}"));
                cases.push(format!("{b}{a} {b}"));
            }
            for o in odd {
                cases.push(format!("{o}{a}{o} {a}"));
            }
        }
        cases.extend(
            [
                "  O'Brien-Smith ",
                "a ' b",
                "' '",
                "José  Müller",
                "MARIA-LUISA  d'Ávila",
                "",
            ]
            .map(String::from),
        );
        for s in &cases {
            assert_eq!(fold(s), fold_every_char(s), "{s:?}");
        }
    }

    #[test]
    fn folding() {
        assert_eq!(fold("Олена Коваленко"), "olena kovalenko");
        assert_eq!(fold("  O'Brien-Smith "), "obrien smith");
        assert_eq!(fold("José  Müller"), "jose muller");
        assert_eq!(fold("Юрій Щербак"), "iurii shcherbak");
        assert_eq!(fold("Ґалаґан Їжак"), "galagan izhak");
        assert_eq!(name_key("Mary Ann"), "maryann");
        assert_eq!(id_key("аа 123-456"), "AA123456");
        assert_eq!(phone_key("+38 (050) 123-45-67"), "501234567");
        assert_eq!(phone_key("0501234567"), "501234567");
        assert_eq!(gender_key("FEMALE"), "F");
        assert_eq!(gender_key("ч"), "M");
        assert_eq!(gender_key("?"), "");
        assert_eq!(email_key(" A@B.org "), "a@b.org");
    }

    #[test]
    fn dates_and_nicknames() {
        assert_eq!(
            parse_birth_date("19860412"),
            NaiveDate::from_ymd_opt(1986, 4, 12)
        );
        assert_eq!(
            parse_birth_date("1986-04-12"),
            NaiveDate::from_ymd_opt(1986, 4, 12)
        );
        assert_eq!(parse_birth_date("2023-02-30"), None);
        assert_eq!(parse_birth_date("1986412"), None);
        assert_eq!(canonical_given("bill"), "william");
        assert_eq!(canonical_given("sasha"), "oleksandr");
        assert_eq!(canonical_given("zoe"), "zoe");
    }

    /// Asked without collecting the forms, the answer is the forms'
    /// meeting, for every pair of names the list holds (and two it lacks).
    #[test]
    fn same_given_is_where_the_forms_meet() {
        let mut names: Vec<&str> = NICKNAMES.iter().flat_map(|(n, c)| [*n, *c]).collect();
        names.extend(["zoe", "olena"]);
        names.sort_unstable();
        names.dedup();
        let mut same = 0;
        for a in &names {
            for b in &names {
                let (fa, fb) = (given_forms(a), given_forms(b));
                let meet = fb.iter().any(|x| fa.contains(x));
                assert_eq!(same_given(a, b), meet, "{a} / {b}");
                same += usize::from(meet);
            }
        }
        assert!(same > names.len(), "nicknames meet their names: {same}");
        assert!(same_given("pat", "patricia") && same_given("sasha", "oleksandra"));
        assert!(!same_given("zoe", "olena"));
    }

    /// Dates are read and written without chrono's format strings, as
    /// chrono reads and writes them: every eight-digit string (a sample
    /// over each place's digits) reads the same, and every date written
    /// (each day of 1899–2031, five of every year to 10001, and the ends
    /// of chrono's range) is chrono's `%Y-%m-%d` and `%Y%m%d`.
    #[test]
    fn dates_read_and_written_as_chrono_does() {
        use chrono::Datelike;
        let mut read = 0;
        for y in [
            "0000", "0001", "0999", "1900", "1986", "2000", "2024", "9999",
        ] {
            for m in 0..=13u32 {
                for d in 0..=32u32 {
                    let t = format!("{y}{m:02}{d:02}");
                    let chrono = NaiveDate::parse_from_str(&t, "%Y%m%d").ok();
                    assert_eq!(parse_birth_date(&t), chrono, "{t}");
                    read += usize::from(chrono.is_some());
                }
            }
        }
        assert_eq!(read, 5 * 365 + 3 * 366, "the calendar's days");
        let written = |day: NaiveDate| {
            for (dashes, f) in [(true, "%Y-%m-%d"), (false, "%Y%m%d")] {
                assert_eq!(date_string(day, dashes), day.format(f).to_string());
            }
        };
        let mut day = NaiveDate::from_ymd_opt(1899, 1, 1).expect("a date");
        while day.year() < 2032 {
            written(day);
            day = day.succ_opt().expect("a next day");
        }
        for year in 0..=10_001 {
            for (m, d) in [(1, 1), (2, 28), (2, 29), (9, 30), (12, 31)] {
                NaiveDate::from_ymd_opt(year, m, d).map(written);
            }
        }
        for end in [NaiveDate::MIN, NaiveDate::MAX] {
            assert_eq!(date_string(end, true), end.format("%Y-%m-%d").to_string());
        }
        assert_eq!(
            parse_birth_date("1986-04-12"),
            parse_birth_date("12.04.1986")
        );
        assert_eq!(parse_birth_date("1986-04-12-"), None);
        assert_eq!(parse_birth_date("1986-0412"), None);
    }
}
