//! Localisation: every text the workstation shows comes from a Fluent
//! catalogue, one per language, in `assets/i18n/` (compiled in).
//!
//! The language is chosen per UI thread ([`set`]): the GUI sets it at the
//! start of each frame from the user's choice, so two windows (or two
//! tests running side by side) can show different languages. Code asks for
//! a message by id with [`tr!`]; a message missing in a catalogue falls
//! back to English and then to its id, and the catalogue test below fails
//! on either.
//!
//! Fluent is used rather than a key-value format because Ukrainian counts
//! in three plural forms (1 запис, 2 записи, 5 записів): the catalogues say
//! `{ $n -> [one] … [few] … *[many] … }` and CLDR's rules pick the form.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::cell::Cell;
use std::sync::LazyLock;

pub use fluent_bundle::FluentArgs as Args;

/// A language the workstation speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Uk,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Uk];

    /// The BCP 47 code, as stored in the user's preferences.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Uk => "uk",
        }
    }

    /// The language's own name for itself, as the Settings list shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Uk => "Українська",
        }
    }

    /// Read a locale as systems spell it (`uk`, `uk-UA`, `uk_UA.UTF-8`);
    /// `None` for a language without a catalogue.
    pub fn from_locale(s: &str) -> Option<Lang> {
        let lang = s
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match lang.as_str() {
            "en" => Some(Lang::En),
            "uk" => Some(Lang::Uk),
            _ => None,
        }
    }

    /// The operating system's language if there is a catalogue for it,
    /// else English.
    pub fn system() -> Lang {
        sys_locale::get_locale()
            .as_deref()
            .and_then(Lang::from_locale)
            .unwrap_or_default()
    }

    fn index(self) -> usize {
        self as usize
    }
}

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// Speak `lang` on this thread from now on.
pub fn set(lang: Lang) {
    CURRENT.with(|c| c.set(lang));
}

/// The language spoken on this thread.
pub fn current() -> Lang {
    CURRENT.with(Cell::get)
}

const SOURCES: [(Lang, &str); 2] = [
    (Lang::En, include_str!("../assets/i18n/en.ftl")),
    (Lang::Uk, include_str!("../assets/i18n/uk.ftl")),
];

fn bundle(lang: Lang, source: &str) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier =
        lang.code().parse().expect("the language codes are valid");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks would draw as boxes in egui's fonts; no
    // right-to-left language is spoken here.
    bundle.set_use_isolating(false);
    // A catalogue that does not parse fails its test; at run time the
    // messages that did parse are still used.
    let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, _)| r);
    let _ = bundle.add_resource(resource);
    bundle
}

static BUNDLES: LazyLock<Vec<FluentBundle<FluentResource>>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(lang, source)| bundle(*lang, source))
        .collect()
});

fn format_in(lang: Lang, id: &str, args: Option<&FluentArgs>) -> Option<String> {
    let bundle = &BUNDLES[lang.index()];
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = vec![];
    Some(
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned(),
    )
}

/// The message `id` in the current language (English if the catalogue
/// lacks it, the id itself if English does too).
pub fn text(id: &str, args: Option<&FluentArgs>) -> String {
    format_in(current(), id, args)
        .or_else(|| format_in(Lang::En, id, args))
        .unwrap_or_else(|| id.to_string())
}

/// Whether the current language has a message `id` (for texts chosen by
/// a code, such as a document type, with a fallback when it has none).
pub fn has(id: &str) -> bool {
    BUNDLES[current().index()].has_message(id) || BUNDLES[Lang::En.index()].has_message(id)
}

/// The message `id` if the catalogues have one, else `fallback` (for words
/// chosen by a code from outside: a seed code, a field's key).
pub fn text_or(id: &str, fallback: impl Into<String>) -> String {
    if has(id) {
        text(id, None)
    } else {
        fallback.into()
    }
}

/// An English phrase as part of a message id: its ASCII words, lower
/// case, joined by hyphens ("Jaro-Winkler ≥ 0.92" → "jaro-winkler-0-92").
pub fn slug(phrase: &str) -> String {
    phrase
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// `tr!("id")` or `tr!("id", name = value, …)`: a message in the current
/// language. Values are strings or numbers (numbers choose plural forms).
#[macro_export]
macro_rules! tr {
    ($id:expr) => {
        $crate::i18n::text($id, None)
    };
    ($id:expr, $($key:ident = $value:expr),+ $(,)?) => {{
        let mut args = $crate::i18n::Args::new();
        $(args.set(stringify!($key), $value);)+
        $crate::i18n::text($id, Some(&args))
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_bundle::FluentResource;
    use std::collections::BTreeSet;

    fn ids(source: &str) -> BTreeSet<String> {
        let resource = match FluentResource::try_new(source.to_string()) {
            Ok(r) => r,
            Err((_, errors)) => panic!("a catalogue does not parse: {errors:?}"),
        };
        resource
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn both_catalogues_parse_and_have_the_same_messages() {
        let en = ids(SOURCES[0].1);
        let uk = ids(SOURCES[1].1);
        let only_en: Vec<_> = en.difference(&uk).collect();
        let only_uk: Vec<_> = uk.difference(&en).collect();
        assert!(only_en.is_empty(), "missing in uk.ftl: {only_en:?}");
        assert!(only_uk.is_empty(), "missing in en.ftl: {only_uk:?}");
    }

    /// Every `tr!("…")` in the sources names a message the catalogues have.
    #[test]
    fn every_message_used_exists() {
        let en = ids(SOURCES[0].1);
        // Ids given to tr! directly, and ids kept in tables (page titles,
        // column headers) that are given to it later.
        let re = regex::Regex::new(
            r#"tr!\(\s*"([a-z0-9-]+)"|"((?:page|login|top|status|help|reg|dup|ch|se|pv|rv|rc|sy|set|mm|st|ev|us|age|imp)-[a-z0-9-]+)""#,
        )
        .unwrap();
        let mut missing = vec![];
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            } else if p.extension().is_some_and(|e| e == "rs") && !p.ends_with("i18n.rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for c in re.captures_iter(&text) {
                    let in_gui = p.components().any(|c| c.as_os_str() == "gui");
                    let Some(id) = c.get(1).or(c.get(2).filter(|_| in_gui)) else {
                        continue;
                    };
                    let id = id.as_str();
                    if !en.contains(id) {
                        missing.push(format!("{}: {id}", p.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "messages not in en.ftl: {missing:?}");
    }

    /// The texts chosen by a code at run time (not by a literal id) are in
    /// the catalogues too: seed codes, violation and warning codes, the
    /// matcher's fields, levels and weights, document number formats.
    #[test]
    fn every_code_has_words() {
        use crate::core::{matching, rules, validate};
        let en = ids(SOURCES[0].1);
        let mut wanted: Vec<String> = vec![];
        for list in [
            rules::ISSUED_IDENTIFIER_TYPES,
            rules::PERSON_DOCUMENT_TYPES,
            rules::RELATIONSHIP_DOCUMENT_TYPES,
            rules::GENDERS,
            rules::PHONE_TYPES,
            rules::ADDRESS_TYPES,
            rules::AUTH_METHOD_TYPES,
            rules::RELATION_TYPES,
        ] {
            wanted.extend(list.iter().map(|c| format!("code-{c}")));
        }
        for kind in rules::PERSON_DOCUMENT_TYPES
            .iter()
            .chain(rules::RELATIONSHIP_DOCUMENT_TYPES)
        {
            if let Some(f) = rules::document_format(kind) {
                wanted.push(format!("docfmt-{f}"));
                wanted.push(format!("docfmt-{f}-hint"));
            }
        }
        wanted.extend(
            validate::VIOLATION_CODES
                .iter()
                .map(|c| format!("violation-{c}")),
        );
        wanted.extend(
            validate::WARNING_CODES
                .iter()
                .map(|c| format!("warning-{c}")),
        );
        for f in matching::FIELDS {
            wanted.push(format!("match-field-{}", slug(f.name)));
            wanted.extend(f.levels.iter().map(|l| format!("match-level-{}", slug(l))));
        }
        for setting in crate::service::Setting::ALL {
            if setting.on_settings_page() {
                wanted.push(format!("set-{}", setting.key().replace('_', "-")));
            }
        }
        for (canonical, _) in crate::service::import::CANONICAL {
            wanted.push(format!("imp-col-{canonical}"));
        }
        for (field, _) in crate::core::golden::GOLDEN_FIELDS {
            wanted.push(format!("golden-field-{}", slug(field)));
        }
        use matching::Conflict::*;
        for c in [TaxId, Ssn, BirthDate, GivenName, FamilyName, Gender] {
            let code = serde_json::to_value(c).unwrap();
            wanted.push(format!("hold-conflict-{}", slug(code.as_str().unwrap())));
        }
        for (_, name) in matching::HOUSEHOLD {
            wanted.push(format!("hold-shared-{}", slug(name)));
        }
        for bits in [12.0, 6.0, 2.0, 0.0, -2.0, -8.0] {
            wanted.push(format!("weight-{}", slug(matching::weight_words(bits))));
        }
        let missing: Vec<&String> = wanted.iter().filter(|id| !en.contains(*id)).collect();
        assert!(missing.is_empty(), "no words for {missing:?}");
    }

    #[test]
    fn ukrainian_counts_in_three_forms() {
        set(Lang::Uk);
        let forms: Vec<String> = [1, 2, 5, 11, 21, 22]
            .iter()
            .map(|n| tr!("count-persons", n = *n))
            .collect();
        set(Lang::En);
        assert_eq!(
            forms,
            [
                "1 особа",
                "2 особи",
                "5 осіб",
                "11 осіб",
                "21 особа",
                "22 особи"
            ]
        );
        assert_eq!(tr!("count-persons", n = 1), "1 person");
        assert_eq!(tr!("count-persons", n = 3), "3 persons");
    }

    #[test]
    fn locales_as_systems_spell_them() {
        assert_eq!(Lang::from_locale("uk_UA.UTF-8"), Some(Lang::Uk));
        assert_eq!(Lang::from_locale("uk-UA"), Some(Lang::Uk));
        assert_eq!(Lang::from_locale("en_GB"), Some(Lang::En));
        assert_eq!(Lang::from_locale("C"), None);
        assert_eq!(Lang::from_locale("de_DE"), None);
    }

    #[test]
    fn a_missing_message_falls_back_to_english_then_its_id() {
        set(Lang::Uk);
        assert_eq!(text("no-such-message", None), "no-such-message");
        set(Lang::En);
    }
}
