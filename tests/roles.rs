//! The route × role table: every route, with every role, is refused (403)
//! exactly when the table says so. The router, the CLI's `api`, the GUI's
//! worker and the hub all go through it.
#![allow(clippy::unwrap_used)] // a test may unwrap: a panic is its failure

mod common;
use common::*;
use registrar::api::{self, ROUTES, Route};
use registrar::service::{Actor, Role};

const ROLES: [Role; 4] = [Role::Admin, Role::Reviewer, Role::Receptionist, Role::Site];

/// A caller with `role` (a site may post for SITE-A).
fn actor(role: Role) -> Actor {
    Actor {
        name: format!("{}-1", role.as_str()),
        role,
        sources: Some(vec!["SITE-A".into()]).filter(|_| role == Role::Site),
    }
}

/// Every route, by an exhaustive match: a new variant fails to compile here
/// until it is added to the table and this list.
fn listed(r: Route) -> bool {
    match r {
        Route::PersonRequest
        | Route::ValidatePersonRequest
        | Route::GetPerson
        | Route::IssuedIdentifierCreate
        | Route::People
        | Route::PeopleCandidates
        | Route::PendingList
        | Route::PendingRescore
        | Route::PendingResolve
        | Route::PostIdentity
        | Route::Login
        | Route::Outbox
        | Route::Stats
        | Route::Scan
        | Route::GetSetting
        | Route::PutSetting
        | Route::Search
        | Route::GenericList
        | Route::GenericCreate
        | Route::WorkingCopies
        | Route::MyChanges
        | Route::Withdraw
        | Route::Approve
        | Route::Reject
        | Route::GenericHistory
        | Route::GenericGet
        | Route::GenericPut
        | Route::GenericPatch
        | Route::GenericDelete
        | Route::Audit
        | Route::Users
        | Route::AddUser
        | Route::UpdateUser
        | Route::SyncNow
        | Route::HubGet
        | Route::HubPut
        | Route::HubTest
        | Route::MatchModel
        | Route::Unlink
        | Route::MoveRecord
        | Route::Merge
        | Route::DeskLink
        | Route::Unmerge
        | Route::NotDuplicates
        | Route::UndoNotDuplicates
        | Route::LinkHistory
        | Route::LinkSource
        | Route::UnlinkSource
        | Route::DeleteSource
        | Route::LinkChanges => true,
    }
}

#[test]
fn every_route_with_every_role() {
    let all = [
        Route::PersonRequest,
        Route::ValidatePersonRequest,
        Route::GetPerson,
        Route::IssuedIdentifierCreate,
        Route::People,
        Route::PeopleCandidates,
        Route::PendingList,
        Route::PendingRescore,
        Route::PendingResolve,
        Route::PostIdentity,
        Route::Login,
        Route::Outbox,
        Route::Stats,
        Route::Scan,
        Route::GetSetting,
        Route::PutSetting,
        Route::Search,
        Route::GenericList,
        Route::GenericCreate,
        Route::WorkingCopies,
        Route::MyChanges,
        Route::Withdraw,
        Route::Approve,
        Route::Reject,
        Route::GenericHistory,
        Route::GenericGet,
        Route::GenericPut,
        Route::GenericPatch,
        Route::GenericDelete,
        Route::Audit,
        Route::Users,
        Route::AddUser,
        Route::UpdateUser,
        Route::SyncNow,
        Route::HubGet,
        Route::HubPut,
        Route::HubTest,
        Route::MatchModel,
        Route::Unlink,
        Route::MoveRecord,
        Route::Merge,
        Route::DeskLink,
        Route::Unmerge,
        Route::NotDuplicates,
        Route::UndoNotDuplicates,
        Route::LinkHistory,
        Route::LinkSource,
        Route::UnlinkSource,
        Route::DeleteSource,
        Route::LinkChanges,
    ];
    for r in all {
        assert!(listed(r));
        assert!(
            ROUTES.iter().any(|x| x.route == r),
            "{r:?} has no row in api::ROUTES"
        );
    }
    let mut checked = 0;
    for rule in ROUTES {
        let path = rule
            .pattern
            .split('/')
            .map(|s| {
                if s.starts_with('{') {
                    "no_route_param"
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for role in ROLES {
            let mut reg = registry();
            let actor = actor(role);
            let r = api::handle(&mut reg, &actor, rule.method, &path, b"{}");
            let allowed = rule.roles.contains(&role);
            assert_eq!(
                r.status != 403,
                allowed,
                "{} {} as {}: {} {}",
                rule.method,
                rule.pattern,
                role.as_str(),
                r.status,
                r.body
            );
            assert!(
                r.status < 500,
                "{} {} as {}: {}",
                rule.method,
                path,
                role.as_str(),
                r.body
            );
            checked += 1;
        }
    }
    assert_eq!(checked, ROUTES.len() * ROLES.len());
}

#[test]
fn a_site_reaches_seed_004_services_and_nothing_else() {
    for rule in ROUTES {
        assert_eq!(
            rule.roles.contains(&Role::Site),
            matches!(
                rule.route,
                Route::PostIdentity
                    | Route::LinkSource
                    | Route::UnlinkSource
                    | Route::DeleteSource
                    | Route::LinkChanges
            ),
            "{} {}",
            rule.method,
            rule.pattern
        );
    }
}

#[test]
fn only_admins_manage_accounts_and_settings_and_only_stewards_decide() {
    let find = |r: Route| ROUTES.iter().filter(move |x| x.route == r);
    for r in [Route::Users, Route::AddUser, Route::PutSetting] {
        for rule in find(r) {
            assert_eq!(rule.roles, &[Role::Admin], "{}", rule.pattern);
        }
    }
    for r in [
        Route::Approve,
        Route::Reject,
        Route::PendingRescore,
        Route::PendingResolve,
        Route::GenericDelete,
    ] {
        for rule in find(r) {
            assert!(
                !rule.roles.contains(&Role::Receptionist),
                "{}",
                rule.pattern
            );
        }
    }
}

/// Adding a route is one row in `ROUTES` and one in the README's table:
/// every route the router serves is documented there. The table may name
/// several methods at once (`GET/PUT /api/hub`), a query (`?q=`, `[?…]`) and
/// its own placeholder names (`{referenceId}` for `{ref}`).
#[test]
fn every_route_is_in_the_readme() {
    let readme = include_str!("../README.md");
    let section: String = readme
        .lines()
        .skip_while(|l| !l.starts_with("### Routes"))
        .take_while(|l| !l.starts_with("Example:"))
        .filter(|l| l.starts_with('|'))
        .map(|l| l.split(" | ").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let placeholder = regex::Regex::new(r"\{[^}]*\}").unwrap();
    let span = regex::Regex::new(r"`([A-Z/]+) (/[^`]*)`").unwrap();
    let mut documented = std::collections::HashSet::new();
    for c in span.captures_iter(&section) {
        let path = c[2].split(['?', '[']).next().unwrap_or("");
        let path = placeholder.replace_all(path, "{}").to_string();
        for method in c[1].split('/') {
            documented.insert(format!("{method} {path}"));
        }
    }
    assert!(
        documented.len() > 20,
        "the README's routes table is not found"
    );
    let missing: Vec<String> = ROUTES
        .iter()
        .map(|r| format!("{} {}", r.method, placeholder.replace_all(r.pattern, "{}")))
        .filter(|route| !documented.contains(route))
        .collect();
    assert!(
        missing.is_empty(),
        "routes missing from the README: {missing:?}"
    );
}

/// A sample request for a row of the table: its pattern with `{x}` filled
/// in, and a body its parser takes.
fn sample(rule: &api::RouteRule) -> api::Request {
    let path = rule
        .pattern
        .split('/')
        .map(|s| if s.starts_with('{') { "1" } else { s })
        .collect::<Vec<_>>()
        .join("/");
    let body: &[u8] = match rule.route {
        Route::PendingResolve => br#"{"referenceId": "new"}"#,
        Route::AddUser => br#"{"name": "x", "role": "receptionist", "password": "p"}"#,
        _ => b"{}",
    };
    match api::parse_request(rule.method, &path, body) {
        Ok(r) => r,
        Err(e) => panic!("{} {path}: {} {}", rule.method, e.status, e.body),
    }
}

/// The GUI's worker sends typed requests (`api::dispatch`), with no path:
/// the same table decides, with the same refusal as over HTTP.
#[test]
fn a_typed_request_meets_the_same_role_rule_as_its_path() {
    for rule in ROUTES {
        let request = sample(rule);
        assert_eq!(
            request.route(),
            rule.route,
            "{} {}",
            rule.method,
            rule.pattern
        );
        // Every row of a route agrees on who may call it.
        for other in ROUTES.iter().filter(|r| r.route == rule.route) {
            assert_eq!(other.roles, rule.roles, "{:?}", rule.route);
        }
        for role in ROLES {
            let mut reg = registry();
            let actor = actor(role);
            let r = api::dispatch(&mut reg, &actor, request.clone());
            assert_eq!(
                r.status != 403,
                rule.roles.contains(&role),
                "{:?} as {}: {} {}",
                rule.route,
                role.as_str(),
                r.status,
                r.body
            );
            // A route with two paths (approve, reject) is named by its first.
            let first = ROUTES.iter().find(|r| r.route == rule.route);
            if r.status == 403 && first.is_some_and(|f| std::ptr::eq(f, rule)) {
                let by_path = api::handle(&mut reg, &actor, rule.method, rule.pattern, b"{}");
                assert_eq!(by_path.body, r.body, "{:?}", rule.route);
            }
        }
    }
}
