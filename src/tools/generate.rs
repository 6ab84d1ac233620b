//! `registrar generate`: synthetic persons with realistic Latin and Cyrillic
//! names and duplicates carrying the noise real registries see.

use crate::core::rules::make_tax_id;
use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::Write;

/// Ukrainian given names: (Cyrillic, Latin), with gender.
const UA_GIVEN: &[(&str, &str, bool)] = &[
    ("Олена", "Olena", false),
    ("Оксана", "Oksana", false),
    ("Наталія", "Nataliia", false),
    ("Ірина", "Iryna", false),
    ("Тетяна", "Tetiana", false),
    ("Юлія", "Yuliia", false),
    ("Катерина", "Kateryna", false),
    ("Марія", "Mariia", false),
    ("Світлана", "Svitlana", false),
    ("Ольга", "Olha", false),
    ("Галина", "Halyna", false),
    ("Анна", "Anna", false),
    ("Людмила", "Liudmyla", false),
    ("Вікторія", "Viktoriia", false),
    ("Софія", "Sofiia", false),
    ("Дарина", "Daryna", false),
    ("Олександр", "Oleksandr", true),
    ("Андрій", "Andrii", true),
    ("Сергій", "Serhii", true),
    ("Володимир", "Volodymyr", true),
    ("Дмитро", "Dmytro", true),
    ("Михайло", "Mykhailo", true),
    ("Іван", "Ivan", true),
    ("Юрій", "Yurii", true),
    ("Микола", "Mykola", true),
    ("Петро", "Petro", true),
    ("Василь", "Vasyl", true),
    ("Богдан", "Bohdan", true),
    ("Тарас", "Taras", true),
    ("Максим", "Maksym", true),
    ("Олег", "Oleh", true),
    ("Віктор", "Viktor", true),
];
const UA_FAMILY: &[(&str, &str)] = &[
    ("Коваленко", "Kovalenko"),
    ("Шевченко", "Shevchenko"),
    ("Бондаренко", "Bondarenko"),
    ("Ткаченко", "Tkachenko"),
    ("Кравченко", "Kravchenko"),
    ("Олійник", "Oliinyk"),
    ("Шевчук", "Shevchuk"),
    ("Поліщук", "Polishchuk"),
    ("Коваль", "Koval"),
    ("Бойко", "Boiko"),
    ("Ткачук", "Tkachuk"),
    ("Мельник", "Melnyk"),
    ("Лисенко", "Lysenko"),
    ("Марченко", "Marchenko"),
    ("Руденко", "Rudenko"),
    ("Савченко", "Savchenko"),
    ("Петренко", "Petrenko"),
    ("Кузьменко", "Kuzmenko"),
    ("Мороз", "Moroz"),
    ("Павленко", "Pavlenko"),
    ("Левченко", "Levchenko"),
    ("Харченко", "Kharchenko"),
    ("Гончаренко", "Honcharenko"),
    ("Клименко", "Klymenko"),
    ("Литвиненко", "Lytvynenko"),
    ("Яковенко", "Yakovenko"),
    ("Романенко", "Romanenko"),
    ("Кириленко", "Kyrylenko"),
    ("Сидоренко", "Sydorenko"),
    ("Остапенко", "Ostapenko"),
    ("Гриценко", "Hrytsenko"),
    ("Зінченко", "Zinchenko"),
    ("Мазур", "Mazur"),
    ("Білик", "Bilyk"),
    ("Гуменюк", "Humeniuk"),
    ("Дячук", "Diachuk"),
    ("Федоренко", "Fedorenko"),
    ("Щербак", "Shcherbak"),
];
const EN_GIVEN: &[(&str, bool)] = &[
    ("James", true),
    ("John", true),
    ("Robert", true),
    ("Michael", true),
    ("William", true),
    ("David", true),
    ("Richard", true),
    ("Joseph", true),
    ("Thomas", true),
    ("Charles", true),
    ("Daniel", true),
    ("Matthew", true),
    ("Anthony", true),
    ("Andrew", true),
    ("Joshua", true),
    ("Samuel", true),
    ("Benjamin", true),
    ("Peter", true),
    ("Mary", false),
    ("Patricia", false),
    ("Jennifer", false),
    ("Linda", false),
    ("Elizabeth", false),
    ("Susan", false),
    ("Margaret", false),
    ("Sarah", false),
    ("Karen", false),
    ("Nancy", false),
    ("Rebecca", false),
    ("Katherine", false),
    ("Emily", false),
    ("Abigail", false),
    ("Victoria", false),
    ("Amanda", false),
    ("Deborah", false),
    ("Eleanor", false),
];
const EN_FAMILY: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Martin",
    "Jackson",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Hill",
    "Green",
    "Adams",
    "Baker",
    "Nelson",
    "Carter",
    "Mitchell",
    "Roberts",
    "Turner",
    "Phillips",
    "Campbell",
    "Parker",
    "Evans",
    "Edwards",
    "Collins",
    "Stewart",
    "Morris",
    "Murphy",
    "Cook",
    "Rogers",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Harrington",
    "Sondergeld",
    "Waller",
];
const NICK: &[(&str, &str)] = &[
    ("William", "Bill"),
    ("Robert", "Bob"),
    ("Richard", "Dick"),
    ("James", "Jim"),
    ("Michael", "Mike"),
    ("Thomas", "Tom"),
    ("Joseph", "Joe"),
    ("John", "Jack"),
    ("David", "Dave"),
    ("Daniel", "Dan"),
    ("Matthew", "Matt"),
    ("Anthony", "Tony"),
    ("Andrew", "Andy"),
    ("Samuel", "Sam"),
    ("Benjamin", "Ben"),
    ("Peter", "Pete"),
    ("Elizabeth", "Liz"),
    ("Margaret", "Maggie"),
    ("Katherine", "Kate"),
    ("Rebecca", "Becky"),
    ("Patricia", "Pat"),
    ("Susan", "Sue"),
    ("Abigail", "Abby"),
    ("Victoria", "Vicky"),
    ("Amanda", "Mandy"),
    ("Deborah", "Debbie"),
    ("Oleksandr", "Sasha"),
    ("Volodymyr", "Vova"),
    ("Dmytro", "Dima"),
    ("Olena", "Lena"),
    ("Tetiana", "Tania"),
    ("Kateryna", "Katia"),
];
const UA_CITIES: &[(&str, &str, &str)] = &[
    ("Київ", "Kyiv", "01"),
    ("Харків", "Kharkiv", "61"),
    ("Одеса", "Odesa", "65"),
    ("Дніпро", "Dnipro", "49"),
    ("Львів", "Lviv", "79"),
    ("Запоріжжя", "Zaporizhzhia", "69"),
    ("Вінниця", "Vinnytsia", "21"),
    ("Полтава", "Poltava", "36"),
    ("Чернігів", "Chernihiv", "14"),
    ("Суми", "Sumy", "40"),
    ("Житомир", "Zhytomyr", "10"),
    ("Черкаси", "Cherkasy", "18"),
];
const STREETS: &[(&str, &str)] = &[
    ("Хрещатик", "Khreshchatyk"),
    ("Шевченка", "Shevchenka"),
    ("Франка", "Franka"),
    ("Лесі Українки", "Lesi Ukrainky"),
    ("Грушевського", "Hrushevskoho"),
    ("Садова", "Sadova"),
    ("Лісова", "Lisova"),
    ("Миру", "Myru"),
    ("Центральна", "Tsentralna"),
    ("Шкільна", "Shkilna"),
    ("Польова", "Polova"),
    ("Набережна", "Naberezhna"),
    ("Соборна", "Sobirna"),
    ("Зелена", "Zelena"),
];

#[derive(Clone)]
struct Row {
    truth: usize,
    given: String,
    family: String,
    birth: Option<NaiveDate>,
    gender: &'static str,
    tax_id: String,
    phone: String,
    email: String,
    house: String,
    street: String,
    city: String,
    postcode: String,
    /// Cyrillic spellings, for the script-switch noise.
    alt: Option<(String, String)>,
}

fn pick<'a, T>(rng: &mut StdRng, xs: &'a [T]) -> &'a T {
    &xs[rng.random_range(0..xs.len())]
}

fn person(rng: &mut StdRng, truth: usize) -> Row {
    let ukrainian = rng.random_bool(0.6);
    let (given, family, male, alt) = if ukrainian {
        let (gc, gl, male) = *pick(rng, UA_GIVEN);
        let (fc, fl) = *pick(rng, UA_FAMILY);
        // One in four Ukrainian records is written in Cyrillic.
        if rng.random_bool(0.25) {
            (
                gc.to_string(),
                fc.to_string(),
                male,
                Some((gl.to_string(), fl.to_string())),
            )
        } else {
            (
                gl.to_string(),
                fl.to_string(),
                male,
                Some((gc.to_string(), fc.to_string())),
            )
        }
    } else {
        let (g, male) = *pick(rng, EN_GIVEN);
        (g.to_string(), pick(rng, EN_FAMILY).to_string(), male, None)
    };
    let birth = NaiveDate::from_ymd_opt(
        rng.random_range(1930..2022),
        rng.random_range(1..13),
        rng.random_range(1..29),
    );
    let gender = if male { "MALE" } else { "FEMALE" };
    let (city_c, city_l, prefix) = *pick(rng, UA_CITIES);
    let (street_c, street_l) = *pick(rng, STREETS);
    let cyr = alt.is_some() && given.chars().next().is_some_and(|c| !c.is_ascii());
    Row {
        truth,
        email: format!(
            "{}.{}{}@example.com",
            crate::core::matching::normalize::name_key(&given),
            crate::core::matching::normalize::name_key(&family),
            rng.random_range(1..999)
        ),
        tax_id: birth
            .map(|b| make_tax_id(b, gender, rng.random_range(0..100_000)))
            .unwrap_or_default(),
        phone: format!(
            "+380{}{:07}",
            pick(
                rng,
                &[
                    "50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99"
                ]
            ),
            rng.random_range(0..10_000_000)
        ),
        given,
        family,
        birth,
        gender,
        house: rng.random_range(1..200).to_string(),
        street: if cyr {
            street_c.to_string()
        } else {
            street_l.to_string()
        },
        city: if cyr {
            city_c.to_string()
        } else {
            city_l.to_string()
        },
        postcode: format!("{prefix}{:03}", rng.random_range(0..1000)),
        alt,
    }
}

fn typo(rng: &mut StdRng, s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    if c.len() < 2 {
        return s.to_string();
    }
    let i = rng.random_range(0..c.len());
    match rng.random_range(0..4) {
        0 => {
            c.remove(i);
        }
        1 => c.insert(i, *pick(rng, &['a', 'e', 'i', 'o', 'n', 'r', 's', 't'])),
        2 => c[i] = *pick(rng, &['a', 'e', 'i', 'o', 'n', 'r', 's', 't']),
        _ => {
            let j = if i + 1 < c.len() { i + 1 } else { i - 1 };
            c.swap(i, j);
        }
    }
    c.into_iter().collect()
}

fn noisy(rng: &mut StdRng, orig: &Row) -> Row {
    let mut r = orig.clone();
    let n_errors = rng.random_range(1..4);
    for _ in 0..n_errors {
        match rng.random_range(0..11) {
            0 => r.given = typo(rng, &r.given),
            1 => r.family = typo(rng, &r.family),
            2 => {
                if let Some((_, nick)) = NICK.iter().find(|(full, _)| *full == r.given) {
                    r.given = nick.to_string();
                } else {
                    r.given = typo(rng, &r.given);
                }
            }
            3 => {
                if let Some((g, f)) = r.alt.take() {
                    r.alt = Some((r.given.clone(), r.family.clone()));
                    r.given = g;
                    r.family = f;
                }
            }
            4 => {
                if let Some(b) = r.birth {
                    r.birth =
                        NaiveDate::from_ymd_opt(b.year(), b.day().min(12), b.month()).or(Some(b));
                }
            }
            5 => {
                if let Some(b) = r.birth {
                    r.birth = b.with_day(((b.day() + rng.random_range(1..9)) % 28) + 1);
                }
            }
            6 => {
                r.phone.clear();
            }
            7 => r.email.clear(),
            8 => {
                let moved = person(rng, r.truth);
                r.street = moved.street;
                r.house = moved.house;
                r.city = moved.city;
                r.postcode = moved.postcode;
            }
            9 => std::mem::swap(&mut r.given, &mut r.family),
            _ => r.tax_id.clear(),
        }
    }
    r
}

/// Write `persons` originals plus duplicates (each original gets one with
/// probability `dup_rate`) as CSV with a `truth` column.
pub fn generate(
    out: &mut dyn Write,
    persons: usize,
    dup_rate: f64,
    seed: u64,
) -> std::io::Result<usize> {
    let mut rng = StdRng::seed_from_u64(seed);
    writeln!(
        out,
        "rec_id,truth,given_name,family_name,birth_date,gender,tax_id,phone,email,house_number,street,city,postal_code,country"
    )?;
    let mut n = 0;
    let mut w = |out: &mut dyn Write, id: String, r: &Row| -> std::io::Result<()> {
        n += 1;
        let esc = |s: &str| {
            if s.contains(',') || s.contains('"') {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_string()
            }
        };
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},UA",
            id,
            r.truth,
            esc(&r.given),
            esc(&r.family),
            r.birth
                .map(|b| b.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            r.gender,
            r.tax_id,
            r.phone,
            r.email,
            r.house,
            esc(&r.street),
            esc(&r.city),
            r.postcode
        )
    };
    for i in 0..persons {
        let orig = person(&mut rng, i);
        w(out, format!("g{i}-0"), &orig)?;
        if rng.random_bool(dup_rate.clamp(0.0, 1.0)) {
            let dups = if rng.random_bool(0.2) { 2 } else { 1 };
            for k in 1..=dups {
                let d = noisy(&mut rng, &orig);
                w(out, format!("g{i}-{k}"), &d)?;
            }
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    #[test]
    fn deterministic_and_labelled() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        super::generate(&mut a, 200, 0.5, 7).unwrap();
        super::generate(&mut b, 200, 0.5, 7).unwrap();
        assert_eq!(a, b);
        let text = String::from_utf8(a).unwrap();
        assert!(text.lines().count() > 250, "duplicates were added");
        assert!(
            text.chars().any(|c| ('а'..='я').contains(&c)),
            "some Cyrillic"
        );
    }
}
