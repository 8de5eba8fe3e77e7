use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cairn::config::{Config, DatabaseUrl};
use cairn::db::{self, AnyConnection};
use cairn::RunningApp;
use diesel::connection::SimpleConnection;
use diesel::Connection;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

pub const PASSWORD: &str = "correct horse battery staple";

/// A database of its own for one test; a PostgreSQL one is dropped when the test ends.
pub struct TestDatabase {
    pub url: DatabaseUrl,
    raw_url: String,
    postgres_admin_url: Option<String>,
    name: String,
}

impl TestDatabase {
    fn create(data_dir: &std::path::Path) -> Self {
        match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            None => {
                let path = data_dir.join("cairn.db");
                Self {
                    raw_url: path.to_string_lossy().into_owned(),
                    url: DatabaseUrl::Sqlite(path),
                    postgres_admin_url: None,
                    name: String::new(),
                }
            }
            Some(admin_url) => {
                let name = format!("cairn_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = diesel::PgConnection::establish(&admin_url).unwrap_or_else(|e| {
                    panic!("TEST_DATABASE_URL is set but PostgreSQL is unreachable: {e}")
                });
                admin
                    .batch_execute(&format!("CREATE DATABASE \"{name}\""))
                    .expect("create test database");
                let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
                url.set_path(&name);
                Self {
                    url: DatabaseUrl::Postgres(url.to_string()),
                    raw_url: url.to_string(),
                    postgres_admin_url: Some(admin_url),
                    name,
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres_admin_url.is_some()
    }

    /// On PostgreSQL: the database's name and a connection to the server's admin database.
    pub fn postgres_admin(&self) -> Option<(&str, diesel::PgConnection)> {
        let admin_url = self.postgres_admin_url.as_ref()?;
        let conn =
            diesel::PgConnection::establish(admin_url).expect("connect to the admin database");
        Some((&self.name, conn))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(admin_url) = &self.postgres_admin_url {
            if let Ok(mut admin) = diesel::PgConnection::establish(admin_url) {
                let _ = admin.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                    self.name
                ));
            }
        }
    }
}

pub struct TestApp {
    pub base_url: String,
    /// The app's clock: fixed at the start, moved with `advance`.
    pub clock: cairn::clock::Clock,
    // Stopped and joined first (fields drop in order), then the database goes.
    _app: RunningApp,
    pub database: TestDatabase,
    pub data_dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Starts the app with extra configuration variables.
    pub async fn spawn_with(overrides: &[(&str, &str)]) -> Self {
        if std::env::var("TEST_LOG").is_ok() {
            cairn::telemetry::init(cairn::config::LogFormat::Pretty);
        }
        let data_dir = tempfile::tempdir().expect("temp dir");
        let database = TestDatabase::create(data_dir.path());
        // A clock that stands still from now on, moved only by the test.
        let clock = cairn::clock::Clock::fixed(chrono::Utc::now().naive_utc());
        let app = start(&database, data_dir.path(), &clock, overrides);
        Self {
            base_url: format!("http://127.0.0.1:{}", app.port),
            _app: app,
            clock,
            database,
            data_dir,
        }
    }

    /// Another instance of the app on the same database and clock, as behind a load
    /// balancer; stopped when dropped.
    pub fn another_instance(&self, overrides: &[(&str, &str)]) -> Instance {
        let app = start(&self.database, self.data_dir.path(), &self.clock, overrides);
        Instance {
            base_url: format!("http://127.0.0.1:{}", app.port),
            _app: app,
        }
    }

    pub fn browser(&self) -> Browser {
        Browser::new(&self.base_url)
    }

    /// A direct connection to the app's database, for arranging and checking state.
    pub fn db(&self) -> AnyConnection {
        db::establish(&self.database.url).expect("connect to the test database")
    }

    /// The DATABASE_URL the app runs on, for the CLI.
    pub fn database_url(&self) -> &str {
        &self.database.raw_url
    }
}

/// A second instance started by `TestApp::another_instance`.
pub struct Instance {
    pub base_url: String,
    _app: RunningApp,
}

/// Builds the configuration of a test instance and starts it on a thread of its own.
fn start(
    database: &TestDatabase,
    data_dir: &std::path::Path,
    clock: &cairn::clock::Clock,
    overrides: &[(&str, &str)],
) -> RunningApp {
    let mut vars: HashMap<String, String> = [
        ("CAIRN_DATA_DIR", data_dir.to_string_lossy().into_owned()),
        ("DATABASE_URL", database.raw_url.clone()),
        ("BIND", "127.0.0.1:0".to_owned()),
        ("WORKERS", "1".to_owned()),
        ("DATABASE_POOL_SIZE", "4".to_owned()),
        // The job runner runs one round at start and then idles, so work queued by a test
        // never finishes under a snapshot comparing rows; tests of the runner set their own
        // interval (or drive rounds themselves).
        ("OUTBOX_POLL_MILLIS", "3600000".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (name, value) in overrides {
        vars.insert(name.to_string(), value.to_string());
    }
    let mut config =
        Config::from_lookup(|name| vars.get(name).cloned()).expect("valid test config");
    config.clock = clock.clone();
    // Blocking briefly here is fine: the app runs on a thread of its own.
    RunningApp::start(config).expect("app starts")
}

/// An HTTP answer, read whole.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    #[track_caller]
    pub fn assert_redirect(&self, to: &str) {
        assert_eq!(
            self.status,
            StatusCode::SEE_OTHER,
            "expected a redirect to {to}; body: {}",
            self.body
        );
        assert_eq!(self.location(), Some(to));
    }

    pub fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.body)
    }

    /// Text of the first element matching `selector`.
    pub fn text_of(&self, selector: &str) -> Option<String> {
        let selector = scraper::Selector::parse(selector).expect("valid selector");
        self.html()
            .select(&selector)
            .next()
            .map(|e| e.text().collect::<String>().trim().to_owned())
    }

    pub fn attr_of(&self, selector: &str, attr: &str) -> Option<String> {
        let selector = scraper::Selector::parse(selector).expect("valid selector");
        self.html()
            .select(&selector)
            .next()
            .and_then(|e| e.value().attr(attr).map(str::to_owned))
    }
}

/// A client that never reuses a connection the app may be closing: the app ends idle
/// keep-alive connections after 5 s, and a request sent on one just then fails half-way
/// (a race every HTTP client has; browsers retry, reqwest does not).
pub fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder().pool_idle_timeout(std::time::Duration::from_secs(2))
}

/// A browser-like client: cookie jar, no automatic redirects, remembers the page's CSRF token.
pub struct Browser {
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
    base_url: String,
    csrf_token: Mutex<Option<String>>,
}

impl Browser {
    pub fn new(base_url: &str) -> Self {
        let jar = Arc::new(Jar::default());
        let client = client_builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        Self {
            client,
            jar,
            base_url: base_url.to_owned(),
            csrf_token: Mutex::new(None),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// The session cookie as the jar holds it (`name=value`).
    pub fn session_cookie(&self) -> Option<String> {
        let url = reqwest::Url::parse(&self.base_url).expect("base url");
        self.jar
            .cookies(&url)
            .and_then(|v| v.to_str().ok().map(str::to_owned))
            .and_then(|all| {
                all.split("; ")
                    .find(|c| c.contains("cairn_session="))
                    .map(str::to_owned)
            })
    }

    /// Puts a session cookie (as returned by `session_cookie`) into this browser's jar.
    pub fn set_session_cookie(&self, cookie: &str) {
        let url = reqwest::Url::parse(&self.base_url).expect("base url");
        self.jar.add_cookie_str(&format!("{cookie}; Path=/"), &url);
    }

    pub fn csrf_token(&self) -> String {
        self.csrf_token
            .lock()
            .expect("lock")
            .clone()
            .expect("no page with a CSRF token was loaded yet")
    }

    async fn read(&self, response: reqwest::Response) -> Page {
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.expect("response body");
        let page = Page {
            status,
            headers,
            body,
        };
        if let Some(token) = page.attr_of("meta[name=csrf-token]", "content") {
            *self.csrf_token.lock().expect("lock") = Some(token);
        }
        page
    }

    pub async fn get(&self, path: &str) -> Page {
        let response = self.client.get(self.url(path)).send().await.expect("GET");
        self.read(response).await
    }

    /// Posts a form the way the page's own form would: with its CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf_token();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        all.extend_from_slice(fields);
        self.post_form_raw(path, &all).await
    }

    /// Posts exactly these fields (no token added).
    pub async fn post_form_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST");
        self.read(response).await
    }

    pub async fn sign_up(&self, email: &str, name: &str, password: &str) -> Page {
        self.get("/signup").await;
        self.post_form(
            "/signup",
            &[("email", email), ("name", name), ("password", password)],
        )
        .await
    }

    pub async fn log_in(&self, email: &str, password: &str) -> Page {
        self.get("/login").await;
        self.post_form("/login", &[("email", email), ("password", password)])
            .await
    }

    pub async fn log_out(&self) -> Page {
        self.get("/").await;
        self.post_form("/logout", &[]).await
    }
}

impl TestApp {
    /// Signs up a new person in their own browser.
    pub async fn person(&self, email: &str, name: &str) -> Browser {
        let browser = self.browser();
        browser
            .sign_up(email, name, PASSWORD)
            .await
            .assert_redirect("/");
        browser
    }

    pub fn user_id(&self, email: &str) -> String {
        use cairn::schema::users;
        use diesel::prelude::*;
        users::table
            .filter(users::email.eq(email))
            .select(users::id)
            .first(&mut self.db())
            .expect("user exists")
    }

    /// Puts an existing user into an organization (invites arrive in their own issue).
    pub fn join_org(&self, org_slug: &str, email: &str, role: &str) {
        use cairn::schema::{org_members, organizations};
        use diesel::prelude::*;
        let mut conn = self.db();
        let org_id: String = organizations::table
            .filter(organizations::slug.eq(org_slug))
            .select(organizations::id)
            .first(&mut conn)
            .expect("org exists");
        let now = cairn::db::now();
        diesel::insert_into(org_members::table)
            .values((
                org_members::id.eq(cairn::db::new_id()),
                org_members::organization_id.eq(org_id),
                org_members::user_id.eq(self.user_id(email)),
                org_members::role.eq(role),
                org_members::created_at.eq(now),
                org_members::updated_at.eq(now),
            ))
            .execute(&mut conn)
            .expect("join org");
    }
}

impl Browser {
    /// Creates an organization from the home page; returns its slug.
    pub async fn create_org(&self, name: &str) -> String {
        self.get("/").await;
        let page = self
            .post_form("/orgs", &[("name", name), ("slug", "")])
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let location = page.location().expect("redirect").to_owned();
        location.trim_start_matches("/orgs/").to_owned()
    }

    /// Creates a workspace in an organization; returns its slug.
    pub async fn create_workspace(&self, org: &str, name: &str, privacy_mode: &str) -> String {
        self.get(&format!("/orgs/{org}")).await;
        let page = self
            .post_form(
                &format!("/orgs/{org}/workspaces"),
                &[("name", name), ("slug", ""), ("privacy_mode", privacy_mode)],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        page.location()
            .expect("redirect")
            .rsplit('/')
            .next()
            .expect("slug")
            .to_owned()
    }

    /// Posts a form with the CSRF token of a page loaded first.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        self.get(page).await;
        self.post_form(action, fields).await
    }

    /// Posts a form the way our scripts do (header token, asking for JSON).
    pub async fn script_post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(self.url(path))
            .header("X-CSRF-Token", self.csrf_token())
            .header("Accept", "application/json")
            .form(fields)
            .send()
            .await
            .expect("POST");
        self.read(response).await
    }

    /// Posts a form the way htmx does (header token, `HX-Request`).
    pub async fn htmx_post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(self.url(path))
            .header("HX-Request", "true")
            .header("X-CSRF-Token", self.csrf_token())
            .form(fields)
            .send()
            .await
            .expect("POST");
        self.read(response).await
    }
}

/// An organization with one workspace and its admin: the setting of most item tests.
pub struct Workspace {
    pub app: TestApp,
    pub admin: Browser,
    pub org: String,
    pub ws: String,
}

impl Workspace {
    pub async fn new(privacy_mode: &str) -> Self {
        Self::in_app(TestApp::spawn().await, privacy_mode).await
    }

    /// The same in an app started with its own configuration.
    pub async fn in_app(app: TestApp, privacy_mode: &str) -> Self {
        let admin = app.person("admin@example.com", "Adele Admin").await;
        let org = admin.create_org("Acme").await;
        let ws = admin.create_workspace(&org, "Platform", privacy_mode).await;
        Self {
            app,
            admin,
            org,
            ws,
        }
    }

    pub fn base(&self) -> String {
        format!("/orgs/{}/w/{}", self.org, self.ws)
    }

    /// Switches the workspace's privacy mode on its settings page, as its admin.
    pub async fn set_privacy_mode(&self, privacy_mode: &str) {
        let settings = format!("{}/settings", self.base());
        self.admin
            .submit(
                &settings,
                &settings,
                &[
                    ("name", "Platform"),
                    ("slug", &self.ws),
                    ("privacy_mode", privacy_mode),
                ],
            )
            .await
            .assert_redirect(&settings);
    }

    /// A signed-up person who is a workspace user here, optionally reporting to `manager`.
    pub async fn member(&self, email: &str, name: &str, manager: Option<&str>) -> Browser {
        let browser = self.app.person(email, name).await;
        self.app.join_org(&self.org, email, "member");
        let members = format!("{}/members", self.base());
        let user_id = self.app.user_id(email);
        self.admin
            .submit(
                &members,
                &members,
                &[("user_id", &user_id), ("role", "workspace_user")],
            )
            .await
            .assert_redirect(&members);
        if let Some(manager) = manager {
            let manager_id = self.app.user_id(manager);
            self.admin
                .submit(
                    &members,
                    &format!("{members}/{user_id}"),
                    &[("manager_user_id", &manager_id)],
                )
                .await
                .assert_redirect(&members);
        }
        browser
    }

    /// Creates an item as `who`; returns its id.
    pub async fn create(
        &self,
        who: &Browser,
        item_type: &str,
        parent: Option<&str>,
        title: &str,
    ) -> String {
        let page = who
            .submit(
                &self.base(),
                &format!("{}/items", self.base()),
                &[
                    ("item_type", item_type),
                    ("parent_id", parent.unwrap_or("")),
                    ("title", title),
                    ("due_date", ""),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        page.location()
            .expect("redirect")
            .rsplit("#item-")
            .next()
            .expect("anchor")
            .to_owned()
    }

    /// The titles the tree page shows to `who`, in order.
    pub async fn titles(&self, who: &Browser) -> Vec<String> {
        let page = who.get(&self.base()).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.html();
        let title = scraper::Selector::parse(".tree-title-text").expect("selector");
        html.select(&title).map(|t| t.text().collect()).collect()
    }

    pub fn assign(&self, item_id: &str, email: &str) {
        use cairn::schema::{okr_item_assignees, workspaces};
        use diesel::prelude::*;
        let mut conn = self.app.db();
        let (org_id, ws_id): (String, String) = workspaces::table
            .filter(workspaces::slug.eq(&self.ws))
            .select((workspaces::organization_id, workspaces::id))
            .first(&mut conn)
            .expect("workspace");
        diesel::insert_into(okr_item_assignees::table)
            .values((
                okr_item_assignees::item_id.eq(item_id),
                okr_item_assignees::user_id.eq(self.app.user_id(email)),
                okr_item_assignees::organization_id.eq(org_id),
                okr_item_assignees::workspace_id.eq(ws_id),
                okr_item_assignees::created_at.eq(cairn::db::now()),
            ))
            .execute(&mut conn)
            .expect("assign");
    }
}
