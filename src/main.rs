//! The `cairn` command line.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use diesel::RunQueryDsl;

use cairn::accounts::{self, DisplayName, Email, NewAccount, Password};
use cairn::config::{Config, DatabaseUrl};
use cairn::{db, telemetry, Application};

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
        Command::Backup { file } => backup(&config, &file),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cairn: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(config: Config) -> Result<(), String> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config)
            .await
            .map_err(|e| e.to_string())?;
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}

fn connect(config: &Config) -> Result<db::AnyConnection, String> {
    let mut conn = db::establish(&config.database_url).map_err(|e| e.to_string())?;
    db::run_pending_migrations(&mut conn).map_err(|e| e.to_string())?;
    Ok(conn)
}

fn migrate(config: &Config) -> Result<(), String> {
    let mut conn = db::establish(&config.database_url).map_err(|e| e.to_string())?;
    let applied = db::run_pending_migrations(&mut conn).map_err(|e| e.to_string())?;
    if applied.is_empty() {
        println!("The database is up to date.");
    } else {
        for version in applied {
            println!("applied {version}");
        }
    }
    Ok(())
}

fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Password (again): ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the passwords do not match".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

fn create_user(config: &Config, email: &str, name: &str) -> Result<(), String> {
    let email = Email::parse(email).map_err(|e| format!("--email: {e}"))?;
    let name = DisplayName::parse(name).map_err(|e| format!("--name: {e}"))?;
    let password = Password::parse(read_password()?).map_err(|e| format!("password: {e}"))?;
    let mut conn = connect(config)?;
    let user = accounts::sign_up(
        &mut conn,
        &NewAccount {
            email,
            name,
            password,
        },
    )
    .map_err(|e| e.to_string())?;
    println!("created user {} <{}> ({})", user.name, user.email, user.id);
    Ok(())
}

fn backup(config: &Config, file: &std::path::Path) -> Result<(), String> {
    match &config.database_url {
        DatabaseUrl::Postgres(_) => Err(
            "backup copies the embedded SQLite database; for PostgreSQL use pg_dump, e.g. `pg_dump --format=custom --file=cairn.dump \"$DATABASE_URL\"`".into(),
        ),
        DatabaseUrl::Sqlite(_) => {
            if file.exists() {
                return Err(format!("{} already exists; choose a new file", file.display()));
            }
            let target = file
                .to_str()
                .ok_or_else(|| format!("{} is not a UTF-8 path", file.display()))?;
            let mut conn = connect(config)?;
            // VACUUM INTO writes a consistent snapshot while other connections keep working.
            diesel::sql_query("VACUUM INTO ?")
                .bind::<diesel::sql_types::Text, _>(target)
                .execute(&mut conn)
                .map_err(|e| format!("backup failed: {e}"))?;
            println!("backed up to {}", file.display());
            Ok(())
        }
    }
}
