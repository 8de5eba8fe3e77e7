//! Rule walks: the rules that hold on every route, tried on every route of
//! `cairn::PAGE_ROUTES` (the list `web::routes` registers), so a route added tomorrow is
//! walked too. A write route with no request listed in `write_request` fails the walk.
//!
//! - CSRF: every unsafe method without the session's token answers 403 and changes nothing.
//! - Archive: every write in an archived organization, and every write in an archived
//!   workspace, answers 403 with the archive message and changes nothing. A control run
//!   afterwards sends the same requests unarchived and sees each succeed and change
//!   something, so the refusals are the archive's, not a bad request's.
//! - Access: every organization route answers 404 to a signed-in outsider, every workspace
//!   route 404 to an organization member outside the workspace, and the logged out are
//!   sent to the log-in page (scripts: 401); none of them changes anything.

use cairn::schema::{check_ins, comments, org_invites, pat};
use cairn::PageRoute;
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::harness::{Browser, Page, Workspace};
use crate::snapshot::Snapshot;
use crate::walk_world::walk_world;

/// Routes anyone may use without signing in.
const PUBLIC: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/static/{file:.*}"),
    ("GET", "/favicon.ico"),
    ("GET", "/signup"),
    ("POST", "/signup"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/invites/{token}"),
    ("POST", "/invites/{token}/accept"),
    ("POST", "/invites/{token}/signup"),
    ("GET", "/check-in/{token}"),
    ("POST", "/check-in/{token}"),
    ("GET", "/forgot-password"),
    ("POST", "/forgot-password"),
    ("GET", "/reset-password/{token}"),
    ("POST", "/reset-password/{token}"),
    ("GET", "/account/email/{token}"),
    ("POST", "/account/email/{token}"),
];

/// Writes whose credential is a token in the path, not the session: a reminder's one-time
/// check-in form works without a session, so it carries no session token. Without a valid
/// link token the request is refused as not found (404) and changes nothing, which the CSRF
/// walk checks in place of the session token's 403.
const PATH_CREDENTIAL: &[&str] = &["/check-in/{token}"];

/// Writes that must still work in an archived organization or workspace: the way back.
const ARCHIVE_SWITCHES: &[&str] = &[
    "/orgs/{org}/archive",
    "/orgs/{org}/unarchive",
    "/orgs/{org}/w/{ws}/archive",
    "/orgs/{org}/w/{ws}/unarchive",
];

/// Writes that store nothing, archived or not: the settings form validated as it is typed,
/// and a check-in note's preview.
const CHECK_ONLY: &[&str] = &[
    "/orgs/{org}/settings/check",
    "/orgs/{org}/w/{ws}/items/{item_id}/check-ins/preview",
];

const ARCHIVE_MESSAGE: &str = "is archived, so it is read-only";

/// Everything the walks need: people in every relation to the organization, and one of
/// each thing a path can name.
struct World {
    w: Workspace,
    /// An organization member outside the workspace (added to it by the control run).
    joiner: Browser,
    /// Signed in, in no organization.
    outsider: Browser,
    ids: Ids,
}

struct Ids {
    owner: String,
    member: String,
    joiner: String,
    leaver: String,
    objective: String,
    other_objective: String,
    key_result: String,
    second_key_result: String,
    action: String,
    throwaway: String,
    deleted: String,
    link: String,
    invite: String,
    pending_invite: String,
    token: String,
    notification: String,
    /// The owner's latest check-in on `objective`, to change, and one on `other_objective`,
    /// to delete.
    check_in: String,
    other_check_in: String,
    /// The owner's comments on `action`: one to change, one to delete.
    comment: String,
    other_comment: String,
    /// An active cycle holding `objective`, and a planned one to carry over to.
    cycle: String,
    next_cycle: String,
    /// A cycle in planning that holds nothing, which the control run renames, activates,
    /// closes and reopens in turn.
    walk_cycle: String,
    /// Webhooks of the workspace: one whose log is read, one to delete.
    webhook: String,
    other_webhook: String,
    /// A finished website scrape of the organization, with a suggestion to apply.
    scrape: String,
    /// A built report of the workspace, and one that failed, to build again.
    report: String,
    failed_report: String,
}

impl World {
    async fn new() -> Self {
        let (w, items) = walk_world().await;
        w.member("leaver@example.com", "Leo Leaver", None).await;
        let joiner = w.app.person("joiner@example.com", "Jo Joiner").await;
        w.app.join_org(&w.org, "joiner@example.com", "member");
        let outsider = w.app.browser();
        outsider
            .log_in("outsider@example.com", crate::harness::PASSWORD)
            .await
            .assert_redirect("/");

        let admin = &w.admin;
        let second_key_result = w
            .create(admin, "key_result", Some(&items.objective), "Five demos")
            .await;
        w.create(admin, "action", Some(&second_key_result), "Book a room")
            .await;
        let base = w.base();
        let ok = |page: Page| {
            assert!(
                page.status.is_success() || page.status.is_redirection(),
                "{}",
                page.body
            )
        };
        let placed = admin
            .script_post(
                &format!("{base}/items/{}/position", items.objective),
                &[("x", "40"), ("y", "80")],
            )
            .await;
        assert!(placed.status.is_success(), "{}", placed.body);
        for item in [&items.objective, &items.other] {
            ok(admin
                .submit(
                    &base,
                    &format!("{base}/items/{item}/check-ins"),
                    &[
                        ("confidence", "6"),
                        ("note", "Started"),
                        ("effective_on", ""),
                    ],
                )
                .await);
        }
        for words in ["First", "Second"] {
            ok(admin
                .submit(
                    &base,
                    &format!("{base}/items/{}/comments", items.action),
                    &[("body", words)],
                )
                .await);
        }
        let invites = format!("/orgs/{}/invites", w.org);
        for email in ["first@example.com", "second@example.com"] {
            ok(admin
                .submit(
                    &invites,
                    &invites,
                    &[
                        ("emails", email),
                        ("role", "workspace_user"),
                        ("workspace_id", ""),
                    ],
                )
                .await);
        }
        let cycles = format!("/orgs/{}/cycles", w.org);
        ok(admin
            .submit(
                &cycles,
                &cycles,
                &[
                    ("name", "2031 Q1"),
                    ("start_date", "2031-01-01"),
                    ("end_date", "2031-03-31"),
                ],
            )
            .await);
        let hooks = format!("{base}/settings/webhooks");
        for url in [
            "https://hooks.example.com/walk",
            "https://hooks.example.com/other",
        ] {
            let added = admin
                .submit(&hooks, &hooks, &[("url", url), ("events", "item.created")])
                .await;
            assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        }
        ok(admin
            .submit(
                "/account/tokens",
                "/account/tokens",
                &[("description", "walk"), ("scopes", "read"), ("days", "30")],
            )
            .await);

        let mut conn = w.app.db();
        let invite_of = |email: &str, conn: &mut cairn::db::AnyConnection| -> String {
            org_invites::table
                .filter(org_invites::normalized_email.eq(email))
                .select(org_invites::id)
                .first(conn)
                .expect("invite")
        };
        let invite = invite_of("first@example.com", &mut conn);
        let pending_invite = invite_of("second@example.com", &mut conn);
        let token = pat::table.select(pat::id).first(&mut conn).expect("token");
        let check_in_on = |item: &str, conn: &mut cairn::db::AnyConnection| -> String {
            check_ins::table
                .filter(check_ins::item_id.eq(item))
                .select(check_ins::id)
                .first(conn)
                .expect("check-in")
        };
        let check_in = check_in_on(&items.objective, &mut conn);
        let walk_cycle = cairn::schema::cycles::table
            .filter(cairn::schema::cycles::name.eq("2031 Q1"))
            .select(cairn::schema::cycles::id)
            .first(&mut conn)
            .expect("cycle");
        let other_check_in = check_in_on(&items.other, &mut conn);
        let comment_saying = |words: &str, conn: &mut cairn::db::AnyConnection| -> String {
            comments::table
                .filter(comments::body.eq(words))
                .select(comments::id)
                .first(conn)
                .expect("comment")
        };
        let comment = comment_saying("First", &mut conn);
        let other_comment = comment_saying("Second", &mut conn);
        let cycle = crate::cycle_world::add_cycle(
            &mut conn,
            &w.org,
            "Now",
            "2026-10-01",
            "2026-12-31",
            "active",
        );
        let next_cycle = crate::cycle_world::add_cycle(
            &mut conn,
            &w.org,
            "Next",
            "2027-01-01",
            "2027-03-31",
            "planning",
        );
        crate::cycle_world::put_in_cycle(
            &mut conn,
            &[
                &items.objective,
                &items.key_result,
                &items.action,
                &items.throwaway,
                &second_key_result,
            ],
            &cycle,
        );
        let webhook_to = |url: &str, conn: &mut cairn::db::AnyConnection| -> String {
            cairn::schema::webhooks::table
                .filter(cairn::schema::webhooks::url.eq(url))
                .select(cairn::schema::webhooks::id)
                .first(conn)
                .expect("webhook")
        };
        let webhook = webhook_to("https://hooks.example.com/walk", &mut conn);
        let other_webhook = webhook_to("https://hooks.example.com/other", &mut conn);
        let (report, failed_report) =
            crate::walk_world::reports(&w, &w.app.user_id("admin@example.com")).await;
        let scrape = crate::walk_world::finished_scrape(
            &mut conn,
            &w.org,
            &w.app.user_id("admin@example.com"),
        );
        let ids = Ids {
            owner: w.app.user_id("admin@example.com"),
            member: w.app.user_id("member@example.com"),
            joiner: w.app.user_id("joiner@example.com"),
            leaver: w.app.user_id("leaver@example.com"),
            objective: items.objective,
            other_objective: items.other,
            key_result: items.key_result,
            second_key_result,
            action: items.action,
            throwaway: items.throwaway,
            deleted: items.deleted,
            link: items.link,
            invite,
            pending_invite,
            token,
            notification: items.notification,
            check_in,
            other_check_in,
            comment,
            other_comment,
            cycle,
            next_cycle,
            walk_cycle,
            webhook,
            other_webhook,
            scrape,
            report,
            failed_report,
        };
        Self {
            w,
            joiner,
            outsider,
            ids,
        }
    }

    /// The route's path with the world's default for each parameter.
    fn path(&self, route: &PageRoute) -> String {
        self.fill(route.path, &[])
    }

    fn fill(&self, pattern: &str, overrides: &[(&str, &str)]) -> String {
        let ids = &self.ids;
        let defaults = [
            ("{org}", self.w.org.as_str()),
            ("{ws}", self.w.ws.as_str()),
            ("{item_id}", ids.action.as_str()),
            ("{user_id}", ids.member.as_str()),
            ("{invite_id}", ids.invite.as_str()),
            ("{link_id}", ids.link.as_str()),
            ("{token_id}", ids.token.as_str()),
            ("{notification_id}", ids.notification.as_str()),
            ("{check_in_id}", ids.check_in.as_str()),
            ("{comment_id}", ids.comment.as_str()),
            ("{cycle_id}", ids.cycle.as_str()),
            ("{webhook_id}", ids.webhook.as_str()),
            ("{scrape_id}", ids.scrape.as_str()),
            ("{report_id}", ids.report.as_str()),
            // Invite links are public and refused before their token matters.
            ("{token}", "not-a-real-invite-token"),
            ("{file:.*}", "app.css"),
        ];
        let mut path = pattern.to_owned();
        for (name, value) in overrides.iter().chain(defaults.iter()) {
            path = path.replace(name, value);
        }
        assert!(!path.contains('{'), "no value for a parameter of {pattern}");
        path
    }

    /// A request the organization's owner could make on this write route: its path and
    /// form. Every write route must be listed here.
    fn write_request(&self, route: &PageRoute) -> (String, Vec<(&'static str, String)>) {
        let ids = &self.ids;
        let f = |fields: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
            fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
        };
        let item = |kind: &str, title: &str| {
            f(&[
                ("item_type", kind),
                ("parent_id", ""),
                ("title", title),
                ("due_date", ""),
            ])
        };
        let at = |overrides: &[(&str, &str)]| self.fill(route.path, overrides);
        let path = self.path(route);
        match route.path {
            "/signup" => (
                path,
                f(&[
                    ("email", "late@example.com"),
                    ("name", "Late"),
                    ("password", crate::harness::PASSWORD),
                ]),
            ),
            "/login" => (
                path,
                f(&[
                    ("email", "admin@example.com"),
                    ("password", crate::harness::PASSWORD),
                ]),
            ),
            "/logout"
            | "/account/logout-everywhere"
            | "/account/tokens/{token_id}/revoke"
            | "/notifications/read-all"
            | "/notifications/{notification_id}/read" => (path, vec![]),
            // Not the defaults (every kind at once), so the control run sees it stored.
            "/account/notifications" => (
                path,
                f(&[
                    ("mentioned", "true"),
                    ("email_delivery", "daily_digest"),
                    ("digest_hour", "7"),
                ]),
            ),
            "/account/tokens" => (
                path,
                f(&[("description", "more"), ("scopes", "read"), ("days", "7")]),
            ),
            "/invites/{token}/accept" | "/account/email/{token}" => (path, vec![]),
            "/forgot-password" => (path, f(&[("email", "admin@example.com")])),
            "/reset-password/{token}" => (path, f(&[("password", crate::harness::PASSWORD)])),
            "/account/name" => (path, f(&[("name", "Adele Renamed")])),
            "/account/password" => (
                path,
                f(&[
                    ("current_password", crate::harness::PASSWORD),
                    ("new_password", "another long password"),
                ]),
            ),
            "/account/email" => (path, f(&[("email", "adele.new@example.com")])),
            "/account/delete" => (path, f(&[("current_password", crate::harness::PASSWORD)])),
            "/check-in/{token}" => (path, vec![]),
            "/invites/{token}/signup" => (
                path,
                f(&[("name", "Sam"), ("password", crate::harness::PASSWORD)]),
            ),
            "/orgs" => (path, f(&[("name", "Second Org"), ("slug", "")])),
            "/orgs/{org}/settings" | "/orgs/{org}/settings/check" => (
                path,
                f(&[
                    ("name", "Acme Robotics"),
                    ("slug", &self.w.org),
                    ("default_privacy_mode", "option_2"),
                    ("industry", "Robotics"),
                    ("time_zone", "Europe/Berlin"),
                    ("ai_enrichment_opt_in", "on"),
                ]),
            ),
            "/orgs/{org}/w/{ws}/reports" => (path, f(&[("cycle_id", "")])),
            "/orgs/{org}/w/{ws}/reports/{report_id}/retry" => {
                (at(&[("{report_id}", &ids.failed_report)]), vec![])
            }
            "/orgs/{org}/settings/website-fill" => (path, f(&[("url", "https://acme.example/")])),
            "/orgs/{org}/settings/website-fill/{scrape_id}/apply" => {
                (path, f(&[("fields", "industry")]))
            }
            // Not the default (January), so the control run sees it stored.
            "/orgs/{org}/settings/fiscal-year" => (path, f(&[("fiscal_year_start_month", "4")])),
            "/orgs/{org}/cycles" => (
                path,
                f(&[
                    ("name", "Walk offsite"),
                    ("start_date", "2031-06-01"),
                    ("end_date", "2031-06-30"),
                ]),
            ),
            "/orgs/{org}/cycles/{cycle_id}" => (
                at(&[("{cycle_id}", &ids.walk_cycle)]),
                f(&[
                    ("name", "2031 Q1 walked"),
                    ("start_date", "2031-01-01"),
                    ("end_date", "2031-03-31"),
                ]),
            ),
            "/orgs/{org}/cycles/next-quarter" => (path, vec![]),
            // In route order the control run activates, closes and reopens it.
            "/orgs/{org}/cycles/{cycle_id}/activate"
            | "/orgs/{org}/cycles/{cycle_id}/close"
            | "/orgs/{org}/cycles/{cycle_id}/reopen" => {
                (at(&[("{cycle_id}", &ids.walk_cycle)]), vec![])
            }
            "/orgs/{org}/archive"
            | "/orgs/{org}/unarchive"
            | "/orgs/{org}/w/{ws}/archive"
            | "/orgs/{org}/w/{ws}/unarchive" => (path, vec![]),
            "/orgs/{org}/members/{user_id}/role" => (path, f(&[("role", "admin")])),
            "/orgs/{org}/members/{user_id}/remove" => (at(&[("{user_id}", &ids.leaver)]), vec![]),
            "/orgs/{org}/workspaces" => (
                path,
                f(&[
                    ("name", "Second"),
                    ("slug", ""),
                    ("privacy_mode", "option_1"),
                ]),
            ),
            "/orgs/{org}/invites" => (
                path,
                f(&[
                    ("emails", "third@example.com"),
                    ("role", "workspace_user"),
                    ("workspace_id", ""),
                ]),
            ),
            "/orgs/{org}/invites/{invite_id}/revoke" => (path, vec![]),
            "/orgs/{org}/invites/{invite_id}/resend" => {
                (at(&[("{invite_id}", &ids.pending_invite)]), vec![])
            }
            "/orgs/{org}/w/{ws}/items" => (path, item("objective", "Walked")),
            "/orgs/{org}/w/{ws}/board/tidy" => (path, f(&[("which", "all"), ("ids", "")])),
            "/orgs/{org}/w/{ws}/board/items" => {
                let mut fields = item("objective", "Placed");
                fields.extend(f(&[("x", "300"), ("y", "400")]));
                (path, fields)
            }
            "/orgs/{org}/w/{ws}/items/{item_id}/position" => {
                (path, f(&[("x", "120"), ("y", "160")]))
            }
            "/orgs/{org}/w/{ws}/gantt/items/{item_id}/dates" => (
                path,
                f(&[("start_date", "2027-01-04"), ("due_date", "2027-01-29")]),
            ),
            "/orgs/{org}/w/{ws}/items/{item_id}" => (
                path,
                f(&[
                    ("title", "Call Globex today"),
                    ("description", "About the renewal"),
                    ("owner_user_id", &ids.owner),
                    ("assignee_user_ids", &ids.member),
                    ("start_date", ""),
                    ("due_date", "2027-02-01"),
                    ("action_status", "work_in_progress"),
                    ("story_points", "3"),
                ]),
            ),
            "/orgs/{org}/w/{ws}/items/{item_id}/delete" => {
                (at(&[("{item_id}", &ids.throwaway)]), vec![])
            }
            "/orgs/{org}/w/{ws}/items/{item_id}/restore" => {
                (at(&[("{item_id}", &ids.deleted)]), vec![])
            }
            "/orgs/{org}/w/{ws}/items/{item_id}/move" => {
                (path, f(&[("parent_id", &ids.second_key_result)]))
            }
            "/orgs/{org}/w/{ws}/items/{item_id}/status" => (path, f(&[("action_status", "done")])),
            // The item page's save (walked before) assigned the member.
            "/orgs/{org}/w/{ws}/items/{item_id}/assignees" => (path, f(&[("user_id", &ids.owner)])),
            "/orgs/{org}/w/{ws}/members/{user_id}/skills" => (
                path,
                f(&[
                    ("can_name", "Rust"),
                    ("can_level", "3"),
                    ("want", "SQL"),
                    ("hours_per_week", "20"),
                ]),
            ),
            "/orgs/{org}/w/{ws}/items/{item_id}/reorder" => (path, f(&[("direction", "up")])),
            "/orgs/{org}/w/{ws}/items/{item_id}/links" => {
                (path, f(&[("to_item_id", &ids.other_objective)]))
            }
            "/orgs/{org}/w/{ws}/items/{item_id}/links/{link_id}/delete" => {
                (at(&[("{item_id}", &ids.objective)]), vec![])
            }
            "/orgs/{org}/w/{ws}/items/{item_id}/check-ins" => (
                at(&[("{item_id}", &ids.second_key_result)]),
                f(&[
                    ("confidence", "7"),
                    ("note", "Walked"),
                    ("effective_on", ""),
                ]),
            ),
            "/orgs/{org}/w/{ws}/items/{item_id}/check-ins/preview" => (
                at(&[("{item_id}", &ids.key_result)]),
                f(&[("confidence", "5"), ("note", "**Walked**")]),
            ),
            "/orgs/{org}/w/{ws}/check-ins/{check_in_id}" => (
                path,
                f(&[
                    ("confidence", "8"),
                    ("note", "Changed"),
                    ("effective_on", ""),
                ]),
            ),
            "/orgs/{org}/w/{ws}/check-ins/{check_in_id}/delete" => {
                (at(&[("{check_in_id}", &ids.other_check_in)]), vec![])
            }
            "/orgs/{org}/w/{ws}/items/{item_id}/comments" => (path, f(&[("body", "Walked")])),
            "/orgs/{org}/w/{ws}/comments/{comment_id}" => (path, f(&[("body", "Changed")])),
            "/orgs/{org}/w/{ws}/comments/{comment_id}/delete" => {
                (at(&[("{comment_id}", &ids.other_comment)]), vec![])
            }
            "/orgs/{org}/w/{ws}/settings" => (
                path,
                f(&[
                    ("name", "Platform team"),
                    ("slug", &self.w.ws),
                    ("privacy_mode", "option_2"),
                ]),
            ),
            // Not the default (weekly on Monday), so the control run sees it stored.
            "/orgs/{org}/w/{ws}/settings/check-ins" => (
                path,
                f(&[
                    ("check_in_cadence", "biweekly"),
                    ("check_in_weekday", "thursday"),
                    ("reminder_hour", "7"),
                    ("escalate_to_manager", "on"),
                ]),
            ),
            "/orgs/{org}/w/{ws}/settings/webhooks" => (
                path,
                f(&[
                    ("url", "https://hooks.example.com/walked"),
                    ("events", "check_in.created"),
                ]),
            ),
            "/orgs/{org}/w/{ws}/settings/webhooks/{webhook_id}/delete" => {
                (at(&[("{webhook_id}", &ids.other_webhook)]), vec![])
            }
            "/orgs/{org}/w/{ws}/cycles/{cycle_id}/carry-over" => (
                path,
                f(&[("to_cycle_id", &ids.next_cycle), ("which", "unfinished")]),
            ),
            "/orgs/{org}/w/{ws}/members" => (
                path,
                f(&[("user_id", &ids.joiner), ("role", "workspace_user")]),
            ),
            "/orgs/{org}/w/{ws}/members/{user_id}" => (
                path,
                f(&[
                    ("role", "workspace_admin"),
                    ("manager_user_id", &ids.owner),
                    ("active", "true"),
                ]),
            ),
            other => panic!(
                "{} {other} is not in the rule walk: add a request it would accept to \
                 rules::World::write_request",
                route.method
            ),
        }
    }
}

fn is_write(route: &PageRoute) -> bool {
    !route.method.is_safe()
}

fn in_org(route: &PageRoute) -> bool {
    route.path.starts_with("/orgs/{org}")
}

fn in_workspace(route: &PageRoute) -> bool {
    route.path.starts_with("/orgs/{org}/w/{ws}")
}

fn is_public(route: &PageRoute) -> bool {
    PUBLIC.contains(&(route.method.as_str(), route.path))
}

fn writes() -> impl Iterator<Item = &'static PageRoute> {
    cairn::PAGE_ROUTES.iter().filter(|r| is_write(r))
}

async fn send(
    browser: &Browser,
    route: &PageRoute,
    path: &str,
    fields: &[(&str, String)],
    headers: &[(&str, &str)],
) -> Page {
    let mut request = browser
        .client
        .request(
            reqwest::Method::from_bytes(route.method.as_str().as_bytes()).expect("method"),
            browser.url(path),
        )
        .form(fields);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let response_headers = response.headers().clone();
    let body = response.text().await.expect("body");
    Page {
        status,
        headers: response_headers,
        body,
    }
}

/// Sends the route's request with the browser's CSRF token, as its own page would.
async fn send_with_token(
    browser: &Browser,
    route: &PageRoute,
    path: &str,
    fields: &[(&str, String)],
) -> Page {
    let mut all = vec![("csrf_token", browser.csrf_token())];
    all.extend(fields.iter().cloned());
    send(browser, route, path, &all, &[]).await
}

#[tokio::test]
async fn every_unsafe_route_refuses_a_request_without_the_csrf_token() {
    let world = World::new().await;
    let browser = &world.w.admin;
    browser.get("/").await;
    let mut walked = 0;
    for route in writes() {
        let (path, fields) = world.write_request(route);
        let before = Snapshot::take(&world.w.app);
        let missing = send(browser, route, &path, &fields, &[]).await;
        let mut forged = fields.clone();
        forged.push(("csrf_token", "forged".to_owned()));
        let wrong_field = send(browser, route, &path, &forged, &[]).await;
        let wrong_header = send(
            browser,
            route,
            &path,
            &fields,
            &[("X-CSRF-Token", "forged")],
        )
        .await;
        let refusal = if PATH_CREDENTIAL.contains(&route.path) {
            (StatusCode::NOT_FOUND, "not valid")
        } else {
            (StatusCode::FORBIDDEN, "Form expired")
        };
        for (how, page) in [
            ("no token", missing),
            ("a wrong form token", wrong_field),
            ("a wrong header token", wrong_header),
        ] {
            assert_eq!(
                page.status, refusal.0,
                "{} {path} with {how}: {}",
                route.method, page.body
            );
            assert!(page.body.contains(refusal.1), "{path}: {}", page.body);
        }
        before.assert_unchanged(
            &world.w.app,
            &format!("{} {path} without CSRF", route.method),
        );
        walked += 1;
    }
    println!("CSRF walk: {walked} unsafe routes, 3 refusals each");
    assert!(walked >= 30, "only {walked} unsafe routes walked");
}

/// Every write under `prefix_rule` while archived: 403 with the archive message, and
/// nothing stored.
async fn assert_writes_refused(
    world: &World,
    what: &str,
    applies: fn(&PageRoute) -> bool,
) -> usize {
    let owner = &world.w.admin;
    owner.get(&format!("/orgs/{}", world.w.org)).await;
    let mut walked = 0;
    for route in writes().filter(|r| applies(r) && !ARCHIVE_SWITCHES.contains(&r.path)) {
        let (path, fields) = world.write_request(route);
        let before = Snapshot::take(&world.w.app);
        let page = send_with_token(owner, route, &path, &fields).await;
        before.assert_unchanged(&world.w.app, &format!("POST {path} in an archived {what}"));
        if CHECK_ONLY.contains(&route.path) {
            continue;
        }
        assert_eq!(
            page.status,
            StatusCode::FORBIDDEN,
            "POST {path} in an archived {what}: {}",
            page.body
        );
        assert!(
            page.body.contains(ARCHIVE_MESSAGE),
            "POST {path} in an archived {what} does not say why: {}",
            page.body
        );
        walked += 1;
    }
    walked
}

#[tokio::test]
async fn every_write_is_refused_in_an_archived_organization_and_workspace() {
    let world = World::new().await;
    let (org, ws) = (&world.w.org, &world.w.ws);
    let owner = &world.w.admin;
    let switch = |path: String| async move {
        let page = owner.submit(&format!("/orgs/{org}"), &path, &[]).await;
        assert!(page.status.is_redirection(), "{path}: {}", page.body);
    };

    switch(format!("/orgs/{org}/archive")).await;
    let in_archived_org = assert_writes_refused(&world, "organization", in_org).await;
    switch(format!("/orgs/{org}/unarchive")).await;

    switch(format!("/orgs/{org}/w/{ws}/archive")).await;
    let in_archived_workspace = assert_writes_refused(&world, "workspace", in_workspace).await;
    switch(format!("/orgs/{org}/w/{ws}/unarchive")).await;

    // The control: the same requests, nothing archived, each accepted and stored.
    let mut controlled = 0;
    for route in writes().filter(|r| in_org(r) && !ARCHIVE_SWITCHES.contains(&r.path)) {
        let (path, fields) = world.write_request(route);
        let before = Snapshot::take(&world.w.app);
        owner.get(&format!("/orgs/{org}")).await;
        let page = send_with_token(owner, route, &path, &fields).await;
        assert!(
            page.status.is_success() || page.status.is_redirection(),
            "control: POST {path} was refused ({}): {}",
            page.status,
            page.body
        );
        if !CHECK_ONLY.contains(&route.path) {
            assert!(
                Snapshot::take(&world.w.app) != before,
                "control: POST {path} stored nothing, so its refusal proves nothing"
            );
        }
        controlled += 1;
    }
    println!(
        "archive walk: {in_archived_org} writes refused in an archived organization, \
         {in_archived_workspace} in an archived workspace, {controlled} accepted as control"
    );
    assert!(in_archived_workspace >= 15 && in_archived_org > in_archived_workspace);
}

#[tokio::test]
async fn organization_and_workspace_routes_are_hidden_from_outsiders_and_the_logged_out() {
    let world = World::new().await;
    let app = &world.w.app;
    world.outsider.get("/").await;
    world.joiner.get("/").await;
    let logged_out = app.browser();
    logged_out.get("/login").await;
    let before = Snapshot::take(app);
    let (mut hidden, mut sent_to_log_in) = (0, 0);
    for route in cairn::PAGE_ROUTES {
        let (path, fields) = if is_write(route) {
            world.write_request(route)
        } else {
            (world.path(route), vec![])
        };
        let mut strangers = vec![];
        if in_org(route) {
            strangers.push(("an outsider", &world.outsider));
        }
        if in_workspace(route) {
            strangers.push((
                "an organization member outside the workspace",
                &world.joiner,
            ));
        }
        for (who, browser) in strangers {
            let page = send_with_token(browser, route, &path, &fields).await;
            assert_eq!(
                page.status,
                StatusCode::NOT_FOUND,
                "{} {path} for {who}: {}",
                route.method,
                page.body
            );
            assert!(
                !page.body.contains("Acme") && !page.body.contains("Platform"),
                "{} {path} names the organization to {who}",
                route.method
            );
            hidden += 1;
        }
        if is_public(route) {
            continue;
        }
        let page = send_with_token(&logged_out, route, &path, &fields).await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "{} {path} logged out",
            route.method
        );
        assert!(
            page.location()
                .is_some_and(|l| l.starts_with("/login?next=")),
            "{} {path} logged out goes to {:?}",
            route.method,
            page.location()
        );
        let mut all = vec![("csrf_token", logged_out.csrf_token())];
        all.extend(fields.iter().cloned());
        let script = send(
            &logged_out,
            route,
            &path,
            &all,
            &[("Accept", "application/json")],
        )
        .await;
        assert_eq!(
            script.status,
            StatusCode::UNAUTHORIZED,
            "{} {path} from a logged-out script",
            route.method
        );
        sent_to_log_in += 1;
    }
    before.assert_unchanged(app, "requests from outsiders and the logged out");
    println!("access walk: {hidden} refusals to strangers, {sent_to_log_in} routes sent to log in");
    assert!(hidden >= 60 && sent_to_log_in >= 40);
}

#[test]
fn the_walks_lists_name_real_routes() {
    for (method, path) in PUBLIC {
        assert!(
            cairn::PAGE_ROUTES
                .iter()
                .any(|r| r.method.as_str() == *method && r.path == *path),
            "PUBLIC names {method} {path}, which is not a route"
        );
    }
    for path in ARCHIVE_SWITCHES
        .iter()
        .chain(CHECK_ONLY)
        .chain(PATH_CREDENTIAL)
    {
        assert!(
            cairn::PAGE_ROUTES.iter().any(|r| r.path == *path),
            "{path} is not a route"
        );
    }
}
