//! `e`: the current view written to timestamped JSON and CSV files, each
//! through a temporary file renamed into place, so a reader never sees a
//! torn export.

use super::app::App;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn export(app: &App) -> Result<(PathBuf, PathBuf), String> {
    let Some(view) = &app.view else {
        return Err("nothing to export yet".into());
    };
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let base = format!("livetally-{stamp}-{}", view.snap.scope.label());
    // a second export in the same second is numbered, never written over
    // the first
    let (json_path, csv_path) = (1..1000)
        .map(|n| match n {
            1 => base.clone(),
            n => format!("{base}-{n}"),
        })
        .map(|b| {
            (
                app.export_dir.join(format!("{b}.json")),
                app.export_dir.join(format!("{b}.csv")),
            )
        })
        .find(|(j, c)| !j.exists() && !c.exists())
        .ok_or("no free export file name")?;
    let json = crate::report::json::to_safe_string(&crate::report::json::to_json(&view.snap))
        .map_err(|e| e.to_string())?
        .into_bytes();
    write_atomic(&json_path, &json)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "creator",
        "gifts_sent",
        "diamonds",
        "gifters",
        "orders",
        "gmv",
        "converted",
        "conversion_rate",
    ];
    w.write_record(header).map_err(|e| e.to_string())?;
    for r in app.creator_rows() {
        let gmv = r
            .gmv
            .iter()
            .map(|(c, v)| format!("{} {c}", crate::model::money_to_string(*v, *c)))
            .collect::<Vec<_>>()
            .join("; ");
        w.write_record([
            r.creator.to_string(),
            r.gifts_sent.to_string(),
            r.diamonds.to_string(),
            r.gifters.to_string(),
            r.orders.to_string(),
            gmv,
            r.converted.to_string(),
            r.conversion
                .rate
                .map(|x| format!("{x:.4}"))
                .unwrap_or_default(),
        ])
        .map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    write_atomic(&csv_path, &bytes)?;
    Ok((json_path, csv_path))
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    // a temporary file is made private (0600); an export is a file like
    // any other the user writes, so it gets what their umask gives
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| format!("{}: {}", path.display(), e.error))?;
    Ok(())
}
