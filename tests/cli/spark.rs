//! The stage as a Spark job, against a real Spark: one local Spark Connect server on a free
//! loopback port with a token (stopped by its process id), the jobs `tier stage --emit` prints
//! run on it, and every command from the stage they write gives the bytes it gives from the
//! transactions. Needs `TIER_SPARK_PYTHON`, a Python with `pyspark` (`.ci/run` makes one);
//! without it the test says it was skipped.

use super::*;
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A Spark Connect server of the test, stopped (its process group) when dropped.
struct Server {
    child: std::process::Child,
    port: u16,
    token: String,
}

impl Server {
    fn start(python: &str) -> Server {
        let home = Command::new(python)
            .args([
                "-c",
                "import os, pyspark; print(os.path.dirname(pyspark.__file__))",
            ])
            .output()
            .expect("run the Spark python");
        let home = String::from_utf8(home.stdout).unwrap().trim().to_string();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let token = format!("tier-test-{}", std::process::id());
        let log =
            std::fs::File::create(std::env::temp_dir().join(format!("tier-spark-{port}.log")))
                .expect("server log");
        use std::os::unix::process::CommandExt;
        let child = Command::new(format!("{home}/bin/spark-submit"))
            .args([
                "--class",
                "org.apache.spark.sql.connect.service.SparkConnectServer",
                "--name",
                "tier-test",
                "--conf",
                &format!("spark.connect.grpc.binding.port={port}"),
                "--conf",
                "spark.connect.grpc.binding.address=127.0.0.1",
                "--conf",
                "spark.ui.enabled=false",
                "spark-internal",
            ])
            .env("SPARK_HOME", &home)
            .env("SPARK_CONNECT_AUTHENTICATE_TOKEN", &token)
            .env("PYSPARK_PYTHON", python)
            .env("SPARK_LOCAL_IP", "127.0.0.1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("start the Spark Connect server");
        let server = Server { child, port, token };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(180),
                "the Spark Connect server did not listen within 180 s"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
        server
    }

    fn remote(&self, token: &str) -> String {
        format!("sc://localhost:{}/;token={token}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// Runs a job (`job.py`, or `job.sql` through `scripts/spark_sql.py`) on the server.
fn run_job(python: &str, remote: &str, job: &Path) -> Run {
    let mut args: Vec<String> = Vec::new();
    if job.extension().is_some_and(|e| e == "sql") {
        args.push(repo_file("scripts/spark_sql.py"));
    }
    args.push(job.display().to_string());
    let out = Command::new(python)
        .args(&args)
        .env("SPARK_REMOTE", remote)
        .env_remove("SPARK_HOME")
        .stdin(Stdio::null())
        .output()
        .expect("run the job");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Emits the job of `input` (reading `source` when given) as `kind` into `dir`.
fn emit(dir: &Path, input: &str, kind: &str, tag: &str, extra: &[&str]) -> (PathBuf, String) {
    let ext = if kind == "pyspark" { "py" } else { "sql" };
    // Named `job_...`: a script named like a module of Python's (`token.py`) would shadow it.
    let job = dir.join(format!("job_{tag}.{ext}"));
    let out = dir.join(format!("{tag}-stage")).display().to_string();
    let job_s = job.display().to_string();
    let mut args = vec![
        "stage",
        input,
        "--emit",
        kind,
        "--stage-out",
        &out,
        "-o",
        &job_s,
    ];
    args.extend_from_slice(extra);
    tier(&args).ok();
    (job, out)
}

/// An export of about a million lines: 60,000 customers over two years, cents, returns.
fn million(dir: &Path) -> String {
    use std::fmt::Write as _;
    let mut text = String::from("customer_id,order_date,amount\n");
    let mut x: u64 = 7;
    let start = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    for _ in 0..1_000_000 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let customer = (x >> 33) % 60_000;
        let day = start + chrono::Duration::days(((x >> 13) % 730) as i64);
        let cents = ((x >> 40) % 25_000) as i64
            - if (x >> 20).is_multiple_of(23) {
                30_000
            } else {
                0
            };
        let _ = writeln!(
            text,
            "K{customer},{day},{}{}.{:02}",
            if cents < 0 { "-" } else { "" },
            cents.abs() / 100,
            cents.abs() % 100
        );
    }
    write(dir, "million.csv", text.as_bytes())
}

const COMMANDS: [&[&str]; 10] = [
    &["classify"],
    &["rfm"],
    &["clv"],
    &["clv", "--summary", "--format", "json"],
    &["churn"],
    &["churn", "--lost"],
    &["churn", "--rates"],
    &["migrate"],
    &["growth"],
    &["growth", "--total"],
];

#[test]
#[allow(clippy::print_stderr)]
fn spark_jobs_write_the_stage_tier_computes() {
    let Ok(python) = std::env::var("TIER_SPARK_PYTHON") else {
        eprintln!("skipped: set TIER_SPARK_PYTHON to a Python with pyspark to run the Spark test");
        return;
    };
    let began = Instant::now();
    let dir = temp_dir();
    let server = Server::start(&python);
    let remote = server.remote(&server.token);
    let inputs = [
        repo_file("sample-data/sales.csv"),
        repo_file("sample-data/cdnow/cdnow_master.csv"),
        fixture("sap.csv"),
        fixture("typed.parquet"),
        fixture("floats.parquet"),
        million(dir.path()),
    ];
    for (i, input) in inputs.iter().enumerate() {
        for kind in ["pyspark", "spark-sql"] {
            let (job, stage) = emit(dir.path(), input, kind, &format!("j{i}-{kind}"), &[]);
            let run = run_job(&python, &remote, &job);
            assert_eq!(run.code, 0, "{kind} job of {input}: {run:#?}");
            for command in COMMANDS {
                let mut direct = command.to_vec();
                direct.push(input);
                let mut staged = command.to_vec();
                staged.extend(["--stage", &stage]);
                let (a, b) = (tier(&direct), tier(&staged));
                assert_eq!(
                    a.code, b.code,
                    "{command:?} on {input} from the {kind} stage"
                );
                assert!(
                    a.stdout == b.stdout,
                    "{command:?} on {input} differs from the {kind} stage"
                );
                assert_eq!(a.stderr, b.stderr, "{command:?} on {input}: notes");
            }
        }
    }
    // A grouped stage serves `classify --group`.
    let sample = repo_file("sample-data/sales.csv");
    for kind in ["pyspark", "spark-sql"] {
        let grouped = ["--group", "Region"];
        let (job, stage) = emit(
            dir.path(),
            &sample,
            kind,
            &format!("grouped-{kind}"),
            &grouped,
        );
        run_job(&python, &remote, &job).ok();
        for extra in [&[][..], &["--summary"]] {
            let mut direct = vec!["classify", sample.as_str(), "--group", "Region"];
            direct.extend_from_slice(extra);
            let mut staged = vec!["classify", "--stage", stage.as_str(), "--group", "Region"];
            staged.extend_from_slice(extra);
            assert_eq!(
                tier(&direct).ok(),
                tier(&staged).ok(),
                "grouped {kind} {extra:?}"
            );
        }
    }
    // A cell Spark cannot read fails the job with an example, and nothing is written.
    let mut bad = std::fs::read_to_string(&sample).unwrap();
    bad.push_str("SO-1,2024-13-45,C1119,X,North,Wholesale,COF-1K,1,2.00,2.00,1.00\n");
    bad.push_str("SO-2,2024-01-05,C1119,X,North,Wholesale,COF-1K,1,2.00,2.OO,1.00\n");
    let bad = write(dir.path(), "bad.csv", bad.as_bytes());
    for kind in ["pyspark", "spark-sql"] {
        let extra = ["--source", bad.as_str(), "--as-of", "2025-12-31"];
        let (job, stage) = emit(dir.path(), &sample, kind, &format!("bad-{kind}"), &extra);
        let run = run_job(&python, &remote, &job);
        assert_ne!(run.code, 0, "{run:#?}");
        assert!(
            run.stderr
                .contains("not dates tier reads, e.g. `2024-13-45`"),
            "{run:#?}"
        );
        if kind == "pyspark" {
            assert!(run.stderr.contains("e.g. `2.OO`"), "{run:#?}");
        }
        assert!(!Path::new(&stage).exists(), "{kind}: a stage was written");
    }
    // A source without a column the sample has: Spark's own error, naming it.
    let short = write(
        dir.path(),
        "short.csv",
        b"Order ID,Order Date,Customer ID\nSO-1,2024-01-01,C1\n",
    );
    let extra = ["--source", short.as_str(), "--as-of", "2025-12-31"];
    let (job, _) = emit(dir.path(), &sample, "pyspark", "short", &extra);
    let run = run_job(&python, &remote, &job);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("Line Total"), "{run:#?}");
    // A wrong token is refused by the server.
    let (job, _) = emit(dir.path(), &sample, "pyspark", "token", &[]);
    let run = run_job(&python, &server.remote("not-the-token"), &job);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("UNAUTHENTICATED"), "{run:#?}");
    drop(server);
    let seconds = began.elapsed().as_secs();
    let _ = std::fs::write(repo_file("target/spark-test-seconds"), seconds.to_string());
    eprintln!("the Spark test took {seconds} s");
}
