//! Embeds the static assets into the binary under content-hashed names.
//!
//! Our own files come from `static/`; vendored front-end packages (htmx) are installed
//! with `npm ci` from `package-lock.json` into OUT_DIR, so the versions are pinned and the
//! source tree stays clean. axe-core, installed the same way but never served, is what the
//! accessibility test runs in the browser; its path reaches the tests as `AXE_CORE_JS`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use sha2::{Digest, Sha256};

/// Files taken from npm packages: (path inside node_modules, name served under /static).
const VENDORED: &[(&str, &str)] = &[("htmx.org/dist/htmx.min.js", "vendor/htmx.min.js")];
/// The accessibility checker the tests inject into pages (a dev dependency, not served).
const AXE_CORE: &str = "axe-core/axe.min.js";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env("OUT_DIR")?);
    println!("cargo:rerun-if-changed=package.json");
    println!("cargo:rerun-if-changed=package-lock.json");
    println!("cargo:rerun-if-changed=static");

    let node_modules = install_npm_packages(&manifest_dir, &out_dir)?;
    println!(
        "cargo:rustc-env=AXE_CORE_JS={}",
        node_modules.join(AXE_CORE).display()
    );

    let mut assets: Vec<(String, PathBuf)> = Vec::new();
    collect_static(&manifest_dir.join("static"), "", &mut assets)?;
    for (package_path, served_as) in VENDORED {
        assets.push((served_as.to_string(), node_modules.join(package_path)));
    }
    assets.sort();

    let mut code = String::from("pub static ASSETS: &[Asset] = &[\n");
    for (name, path) in &assets {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let digest = hex::encode(Sha256::digest(&bytes));
        let hashed = hashed_name(name, &digest[..12]);
        let _ = writeln!(
            code,
            "    Asset {{ name: {name:?}, hashed_name: {hashed:?}, content_type: {ct:?}, bytes: include_bytes!({path:?}) }},",
            ct = content_type(name),
            path = path.to_string_lossy(),
        );
    }
    code.push_str("];\n");
    std::fs::write(out_dir.join("assets.rs"), code)
        .map_err(|e| format!("cannot write assets.rs: {e}"))
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set (run the build through cargo)"))
}

/// Runs `npm ci` in OUT_DIR when the lock file changed; returns the node_modules folder.
fn install_npm_packages(manifest_dir: &Path, out_dir: &Path) -> Result<PathBuf, String> {
    let npm_dir = out_dir.join("npm");
    std::fs::create_dir_all(&npm_dir)
        .map_err(|e| format!("cannot create {}: {e}", npm_dir.display()))?;
    let lock = std::fs::read(manifest_dir.join("package-lock.json"))
        .map_err(|e| format!("cannot read package-lock.json: {e}"))?;
    let installed_lock = std::fs::read(npm_dir.join("package-lock.json")).ok();
    let node_modules = npm_dir.join("node_modules");
    let complete = VENDORED
        .iter()
        .map(|(path, _)| *path)
        .chain([AXE_CORE])
        .all(|path| node_modules.join(path).exists());
    if installed_lock.as_deref() == Some(lock.as_slice()) && complete {
        return Ok(node_modules);
    }
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(manifest_dir.join(file), npm_dir.join(file))
            .map_err(|e| format!("cannot copy {file}: {e}"))?;
    }
    let status = Command::new("npm")
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&npm_dir)
        .status()
        .map_err(|e| {
            format!("building cairn needs Node.js and npm to install the pinned front-end packages ({e}); install them (Debian: apt-get install nodejs npm) and build again")
        })?;
    if !status.success() {
        return Err(format!(
            "`npm ci` failed ({status}) while installing the packages pinned in package-lock.json"
        ));
    }
    Ok(node_modules)
}

fn collect_static(
    dir: &Path,
    prefix: &str,
    out: &mut Vec<(String, PathBuf)>,
) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            collect_static(&path, &format!("{prefix}{name}/"), out)?;
        } else {
            out.push((format!("{prefix}{name}"), path));
        }
    }
    Ok(())
}

fn hashed_name(name: &str, hash: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.ends_with('/') => format!("{stem}.{hash}.{ext}"),
        _ => format!("{name}.{hash}"),
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("json") | Some("webmanifest") => "application/json",
        _ => "application/octet-stream",
    }
}
