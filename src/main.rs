//! The `cairn` command line.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use diesel::RunQueryDsl;

use cairn::accounts::{
    self, AccountError, DisplayName, Email, NewAccount, Password, PasswordHashError,
};
use cairn::config::{Config, DatabaseUrl};
use cairn::db::{self, DbError};
use cairn::{telemetry, tokens, Application, StartError};

#[derive(Parser)]
#[command(
    name = "cairn",
    version,
    about = "Cairn: objectives, key results and actions for teams"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web app (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage personal access tokens for the JSON API.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Create a demo organization with people and OKRs, and print the log-ins.
    Demo,
    /// Write a consistent copy of the SQLite database while the app runs.
    Backup {
        /// Where to write the copy (must not exist yet).
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is asked for, or read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for an existing user and print it (it is shown only this once).
    Create {
        #[arg(long)]
        email: String,
        /// Comma-separated: read, write, admin.
        #[arg(long, default_value = "read")]
        scopes: String,
        /// Days until it expires (1 to 365).
        #[arg(long, default_value_t = 30)]
        days: i64,
        #[arg(long, default_value = "Created on the command line")]
        description: String,
    },
}

/// What can stop a command; printed as one line.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Start(#[from] StartError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Hashing(#[from] PasswordHashError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Token(#[from] cairn::tokens::TokenError),
    #[error(transparent)]
    Demo(#[from] cairn::demo::DemoError),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("cairn: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => migrate(&config),
        Command::User {
            command: UserCommand::Create { email, name },
        } => create_user(&config, &email, &name),
        Command::Token {
            command:
                TokenCommand::Create {
                    email,
                    scopes,
                    days,
                    description,
                },
        } => create_token(&config, &email, &scopes, days, &description),
        Command::Demo => demo(&config),
        Command::Backup { file } => backup(&config, &file),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("cairn: {error}");
            ExitCode::FAILURE
        }
    }
}

fn serve(config: Config) -> Result<(), CliError> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config).await?;
        Ok(app.run_until_stopped().await?)
    })
}

fn connect(config: &Config) -> Result<db::AnyConnection, CliError> {
    let mut conn = db::establish(&config.database_url)?;
    db::run_pending_migrations(&mut conn)?;
    Ok(conn)
}

fn migrate(config: &Config) -> Result<(), CliError> {
    let mut conn = db::establish(&config.database_url)?;
    let applied = db::run_pending_migrations(&mut conn)?;
    if applied.is_empty() {
        println!("The database is up to date.");
    } else {
        for version in applied {
            println!("applied {version}");
        }
    }
    Ok(())
}

fn read_password() -> Result<String, CliError> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password (again): ")?;
        if first != again {
            return Err(CliError::Usage("the passwords do not match".into()));
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| {
            CliError::Usage(format!("cannot read the password from standard input: {e}"))
        })?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

fn create_user(config: &Config, email: &str, name: &str) -> Result<(), CliError> {
    let email = Email::parse(email).map_err(|e| CliError::Usage(format!("--email: {e}")))?;
    let name = DisplayName::parse(name).map_err(|e| CliError::Usage(format!("--name: {e}")))?;
    let password =
        Password::parse(read_password()?).map_err(|e| CliError::Usage(format!("password: {e}")))?;
    let password_hash = accounts::hash_password(&password)?;
    let mut conn = connect(config)?;
    let account = NewAccount {
        email,
        name,
        password,
    };
    let user = accounts::create_account(&mut conn, &account, &password_hash)?;
    println!("created user {} <{}> ({})", user.name, user.email, user.id);
    Ok(())
}

fn create_token(
    config: &Config,
    email: &str,
    scopes: &str,
    days: i64,
    description: &str,
) -> Result<(), CliError> {
    let email = Email::parse(email).map_err(|e| CliError::Usage(format!("--email: {e}")))?;
    let names: Vec<&str> = scopes.split(',').collect();
    let new = tokens::NewToken {
        scopes: tokens::Scopes::parse(&names)
            .map_err(|e| CliError::Usage(format!("--scopes: {e}")))?,
        lifetime: tokens::Lifetime::days(days)
            .map_err(|e| CliError::Usage(format!("--days: {e}")))?,
        description: tokens::Description::parse(description)
            .map_err(|e| CliError::Usage(format!("--description: {e}")))?,
    };
    let mut conn = connect(config)?;
    let user = match accounts::find_by_email(&mut conn, &email) {
        Err(AccountError::Db(DbError::Query(diesel::result::Error::NotFound))) => {
            return Err(CliError::Usage(format!("no account has the email {email}")))
        }
        other => other?,
    };
    let (secret, _) = tokens::create(&mut conn, &user.id, &new)?;
    println!("{}", secret.expose());
    Ok(())
}

fn demo(config: &Config) -> Result<(), CliError> {
    let mut conn = connect(config)?;
    let demo = cairn::demo::create(&mut conn, chrono::Utc::now().date_naive())?;
    println!(
        "Demo organization ready: {}orgs/{}",
        config.base_url, demo.org_slug
    );
    println!("Everyone's password: {}", demo.password);
    for login in &demo.logins {
        println!("  {:<20} {:<28} {}", login.name, login.email, login.role);
    }
    Ok(())
}

fn backup(config: &Config, file: &std::path::Path) -> Result<(), CliError> {
    if let DatabaseUrl::Postgres(_) = &config.database_url {
        return Err(CliError::Usage(
            "backup copies the embedded SQLite database; for PostgreSQL use pg_dump, e.g. `pg_dump --format=custom --file=cairn.dump \"$DATABASE_URL\"`".into(),
        ));
    }
    if file.exists() {
        return Err(CliError::Usage(format!(
            "{} already exists; choose a new file",
            file.display()
        )));
    }
    let target = file
        .to_str()
        .ok_or_else(|| CliError::Usage(format!("{} is not a UTF-8 path", file.display())))?;
    let mut conn = db::establish(&config.database_url)?;
    // VACUUM INTO writes a consistent snapshot while other connections keep working.
    diesel::sql_query("VACUUM INTO ?")
        .bind::<diesel::sql_types::Text, _>(target)
        .execute(&mut conn)
        .map_err(DbError::from)?;
    println!("backed up to {}", file.display());
    Ok(())
}
