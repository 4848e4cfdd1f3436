//! Finds the bank's YAML files: every `.yaml` / `.yml` file below the bank folder, each real
//! file once.
//!
//! Invariant: the walk ends, and reads each file once, whatever links the folder holds.
//! A link to a folder is followed (a bank may share a folder kept elsewhere), but a folder is
//! entered at most once, by its canonical path: a link that leads back to a folder being
//! walked (`self -> .`, or `a -> .` beside `b -> .`, which would otherwise nest without end)
//! is reported as a problem naming the link and where it leads, and a second way to the same
//! folder or file is skipped. Only regular files (and links to them) are read: a FIFO, a
//! socket, a device, a folder named `x.yaml`, a link to any of them or to nothing is a
//! problem reported at its path at once (a FIFO would otherwise block the reader for ever).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::problem::Problem;

/// The YAML files below `dir`, sorted by path, each real file once; and the problems met on
/// the way (an unreadable folder, a folder link that loops).
pub(crate) fn yaml_files(dir: &Path) -> (Vec<PathBuf>, Vec<Problem>) {
    let mut walk = Walk { files: Vec::new(), problems: Vec::new(), folders: HashSet::new(), real_files: HashSet::new() };
    match dir.canonicalize() {
        Ok(real) => walk.folder(dir, &real, &mut vec![real.clone()]),
        Err(e) => walk.problems.push(folder_problem(
            dir,
            format!("cannot read the bank folder: {e}"),
            "pass the folder that holds the bank's .yaml files, e.g. `questions`",
        )),
    }
    walk.files.sort();
    (walk.files, walk.problems)
}

/// A problem with a folder or a link as a whole: no line or column.
fn folder_problem(path: &Path, message: String, hint: &str) -> Problem {
    Problem { file: path.to_path_buf(), line: 0, column: 0, item: None, message, hint: hint.into() }
}

/// The problem of a bank folder that holds no YAML file, named by the folder.
pub(crate) fn no_yaml(dir: &Path) -> Problem {
    folder_problem(dir, "the folder holds no .yaml file".into(), "point the command at the folder that holds the bank's .yaml files, e.g. `questions`")
}

struct Walk {
    files: Vec<PathBuf>,
    problems: Vec<Problem>,
    /// Canonical paths of the folders entered so far.
    folders: HashSet<PathBuf>,
    /// Canonical paths of the files kept so far.
    real_files: HashSet<PathBuf>,
}

impl Walk {
    /// Walks `dir`, whose canonical path is `real`; `ancestors` are the canonical paths of
    /// the folders being walked, `real` last.
    fn folder(&mut self, dir: &Path, real: &Path, ancestors: &mut Vec<PathBuf>) {
        if !self.folders.insert(real.to_path_buf()) {
            return;
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                self.problems.push(folder_problem(dir, format!("cannot read the folder: {e}"), "make the folder readable, or move it out of the bank folder"));
                return;
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let yaml = matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
            // `metadata` follows links; a folder named like a YAML file is reported below.
            let is_dir = std::fs::metadata(&path).is_ok_and(|m| m.is_dir());
            if yaml {
                // Only regular files (and links to them) are read: opening a FIFO would wait
                // for a writer for ever, and a socket, a device or a folder holds no YAML.
                if let Some(what) = crate::files::not_regular(&path) {
                    self.problems.push(folder_problem(
                        &path,
                        format!("{what}, not a regular YAML file"),
                        "remove it or move it out of the bank folder: the bank reads only regular files (and links to them)",
                    ));
                    continue;
                }
                let real = path.canonicalize().unwrap_or_else(|_| path.clone());
                if self.real_files.insert(real) {
                    self.files.push(path);
                }
            } else if is_dir {
                let Ok(target) = path.canonicalize() else { continue };
                if ancestors.contains(&target) {
                    let link = std::fs::read_link(&path).map(|t| t.display().to_string()).unwrap_or_else(|_| target.display().to_string());
                    self.problems.push(folder_problem(
                        &path,
                        format!("this folder link (-> {link}) leads back to {}, which holds it: a loop", target.display()),
                        "remove the link: every file of the bank folder is read already",
                    ));
                    continue;
                }
                ancestors.push(target.clone());
                self.folder(&path, &target, ancestors);
                ancestors.pop();
            }
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn names(files: &[PathBuf], root: &Path) -> Vec<String> {
        files.iter().map(|f| f.strip_prefix(root).unwrap().display().to_string()).collect()
    }

    #[test]
    fn two_links_to_the_folder_itself_end_and_say_so() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bank.yaml"), "topics: []\n").unwrap();
        symlink(".", dir.path().join("a")).unwrap();
        symlink(".", dir.path().join("b")).unwrap();
        let (files, problems) = yaml_files(dir.path());
        assert_eq!(names(&files, dir.path()), ["bank.yaml"]);
        let shown: Vec<String> = problems.iter().map(|p| format!("{}: {}", p.file.strip_prefix(dir.path()).unwrap().display(), p.message)).collect();
        let real = dir.path().canonicalize().unwrap();
        assert_eq!(
            shown,
            [
                format!("a: this folder link (-> .) leads back to {}, which holds it: a loop", real.display()),
                format!("b: this folder link (-> .) leads back to {}, which holds it: a loop", real.display())
            ]
        );
    }

    #[test]
    fn a_link_to_a_parent_is_a_loop_and_a_second_way_to_a_folder_or_file_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("sub/deeper")).unwrap();
        std::fs::create_dir_all(root.join("elsewhere")).unwrap();
        std::fs::write(root.join("sub/a.yaml"), "").unwrap();
        std::fs::write(root.join("elsewhere/b.yml"), "").unwrap();
        symlink("../..", root.join("sub/deeper/up")).unwrap();
        symlink("../elsewhere", root.join("sub/shared")).unwrap();
        symlink("a.yaml", root.join("sub/same.yaml")).unwrap();
        std::fs::write(root.join("notes.md"), "").unwrap();
        let (files, problems) = yaml_files(root);
        assert_eq!(names(&files, root), ["elsewhere/b.yml", "sub/a.yaml"]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].file.ends_with("sub/deeper/up") && problems[0].message.contains("a loop"), "{problems:?}");
    }
}
