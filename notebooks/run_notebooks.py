#!/usr/bin/python3
"""Execute sentilab's notebooks headless on the repo-local Deno kernel and check them.

Usage (from the repository root; `deno task notebooks` runs the first form):

    /usr/bin/python3 notebooks/run_notebooks.py                 # run every notebooks/*.ipynb
    /usr/bin/python3 notebooks/run_notebooks.py 01_quickstart   # run some (name or path)
    /usr/bin/python3 notebooks/run_notebooks.py --output-dir out  # also save the executed copies
    /usr/bin/python3 notebooks/run_notebooks.py --clean         # strip outputs from the notebooks in place

What it checks, per notebook:
  * the committed notebook is clean (no outputs, no execution counts);
  * every code cell runs without an error (execution stops at the first error, which is printed);
  * every cell marked `// expect-output` (a line of the cell) or tagged `expect-output` produced output;
    `// expect-output: image/svg+xml text/html` requires those MIME types among its rich outputs.

Why not jupyter-execute / nbclient: Deno 2.9.6's kernel sometimes sends a cell's `execute_result` AFTER
its `status: idle`, and nbclient stops listening at idle, so outputs go missing. This executor keeps
draining iopub for a grace period after idle (and once more at the end of the notebook) and files every
message under the cell whose request it answers (`parent_header.msg_id`), so late outputs are kept.

Environment of the kernel: cwd = the notebook's folder; SENTILAB_DIR = a fresh temp store (removed
afterwards); WANDB_MODE=offline and no W&B credentials; HTTP(S)_PROXY pointed at a dead local port, so
an accidental network call fails instead of leaving the machine (loopback stays reachable).

Needs Debian's python3-nbclient (jupyter_client, nbformat):
    apt-get install -y --no-install-recommends python3-nbclient
and `deno` on PATH (the kernelspec in notebooks/kernels/deno/kernel.json runs `deno jupyter --kernel`).
Exit status: 0 when every notebook passed, 1 when one failed, 2 on bad usage or missing tools.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MARKER = re.compile(r"^\s*//\s*expect-output\b:?(.*)$", re.MULTILINE)
RICH = ("display_data", "execute_result")

try:
    import nbformat
    from jupyter_client import KernelManager
except ImportError as err:  # pragma: no cover - depends on the machine
    print(
        f"run_notebooks: cannot import {err.name}: install Debian's python3-nbclient "
        "(apt-get install -y --no-install-recommends python3-nbclient) and run this with /usr/bin/python3, "
        f"not {sys.executable}",
        file=sys.stderr,
    )
    sys.exit(2)


@dataclass
class CellRun:
    index: int
    outputs: list = field(default_factory=list)
    execution_count: int | None = None
    idle: bool = False
    late: int = 0  # outputs that arrived after this cell's status: idle
    error: dict | None = None


def is_clean(nb) -> list[str]:
    """Problems that make a committed notebook not clean."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {i} has {len(cell.outputs)} saved output(s)")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {i} has execution_count {cell.execution_count}")
    return problems


def clean(nb) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)


def expectations(cell) -> list[str] | None:
    """None: no output expected; []: some output; [mime...]: these MIME types among rich outputs."""
    tags = cell.get("metadata", {}).get("tags", [])
    m = MARKER.search(cell.source)
    if not m and "expect-output" not in tags:
        return None
    return m.group(1).split() if m else []


def to_output(msg, cell: CellRun):
    """nbformat output for an iopub message, or None for messages that are not outputs."""
    kind = msg["header"]["msg_type"]
    c = msg["content"]
    if kind == "stream":
        if cell.outputs and cell.outputs[-1].get("output_type") == "stream" and cell.outputs[-1]["name"] == c["name"]:
            cell.outputs[-1]["text"] += c["text"]
            return "merged"
        return nbformat.v4.new_output("stream", name=c["name"], text=c["text"])
    if kind == "display_data":
        return nbformat.v4.new_output("display_data", data=c.get("data", {}), metadata=c.get("metadata", {}))
    if kind == "execute_result":
        return nbformat.v4.new_output(
            "execute_result",
            data=c.get("data", {}),
            metadata=c.get("metadata", {}),
            execution_count=c.get("execution_count"),
        )
    if kind == "error":
        return nbformat.v4.new_output(
            "error", ename=c.get("ename", ""), evalue=c.get("evalue", ""), traceback=c.get("traceback", [])
        )
    return None


class Executor:
    def __init__(self, notebook: Path, store_dir: Path, timeout: float, grace: float):
        self.notebook = notebook
        self.timeout = timeout
        self.grace = grace
        self.by_msg: dict[str, CellRun] = {}
        env = dict(os.environ)
        for key in ("WANDB_API_KEY", "WANDB_BASE_URL", "WANDB_ENTITY", "RUST_BACKTRACE"):
            env.pop(key, None)
        env.update(
            {
                "NO_COLOR": "1",
                "SENTILAB_DIR": str(store_dir),
                "WANDB_MODE": "offline",
                "HTTP_PROXY": "http://127.0.0.1:9",
                "HTTPS_PROXY": "http://127.0.0.1:9",
                "NO_PROXY": "127.0.0.1,localhost",
            }
        )
        env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(HERE), os.environ.get("JUPYTER_PATH", "")) if p)
        os.environ["JUPYTER_PATH"] = env["JUPYTER_PATH"]  # kernelspec lookup happens in this process
        self.km = KernelManager(kernel_name="deno")
        spec_dir = Path(self.km.kernel_spec.resource_dir).resolve()
        if spec_dir != (HERE / "kernels" / "deno").resolve():
            raise RuntimeError(f"kernelspec 'deno' resolved to {spec_dir}, not the repo's notebooks/kernels/deno")
        if shutil.which("deno") is None:
            raise RuntimeError("`deno` is not on PATH: the kernelspec runs `deno jupyter --kernel`")
        self.km.start_kernel(cwd=str(notebook.parent), env=env)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)

    def close(self) -> None:
        try:
            self.kc.stop_channels()
        finally:
            self.km.shutdown_kernel(now=True)

    def _handle(self, msg) -> CellRun | None:
        parent = msg.get("parent_header", {}).get("msg_id")
        cell = self.by_msg.get(parent)
        if cell is None:
            return None
        kind = msg["header"]["msg_type"]
        c = msg["content"]
        if kind == "status":
            if c.get("execution_state") == "idle":
                cell.idle = True
            return cell
        if kind == "execute_input":
            cell.execution_count = c.get("execution_count")
            return cell
        if kind == "clear_output":
            cell.outputs.clear()
            return cell
        out = to_output(msg, cell)
        if out is None:
            return cell
        if cell.idle:
            cell.late += 1
        if out != "merged":
            cell.outputs.append(out)
        if kind == "error":
            cell.error = {"ename": c.get("ename", ""), "evalue": c.get("evalue", ""), "traceback": c.get("traceback", [])}
        return cell

    def drain(self, seconds: float) -> None:
        """Reads iopub until it has been quiet for `seconds` (bounded: at most 10 x seconds)."""
        end = time.monotonic() + seconds
        hard_end = time.monotonic() + 10 * seconds
        while True:
            now = time.monotonic()
            if now >= end or now >= hard_end:
                return
            try:
                msg = self.kc.get_iopub_msg(timeout=end - now)
            except queue.Empty:
                return
            if self._handle(msg) is not None:
                end = time.monotonic() + seconds

    def run_cell(self, index: int, source: str) -> CellRun:
        cell = CellRun(index)
        msg_id = self.kc.execute(source, store_history=True, allow_stdin=False, stop_on_error=True)
        self.by_msg[msg_id] = cell
        deadline = time.monotonic() + self.timeout
        reply = None
        while not (cell.idle and reply is not None):
            if time.monotonic() > deadline:
                self.km.interrupt_kernel()
                raise TimeoutError(f"cell {index} did not finish within {self.timeout:.0f} s")
            try:
                self._handle(self.kc.get_iopub_msg(timeout=0.05))
            except queue.Empty:
                if not self.km.is_alive():
                    raise RuntimeError(f"the kernel died while running cell {index}")
            while reply is None:
                try:
                    m = self.kc.get_shell_msg(timeout=0)
                except queue.Empty:
                    break
                if m.get("parent_header", {}).get("msg_id") == msg_id:
                    reply = m
        self.drain(self.grace)  # the Deno 2.9.6 kernel may still send this cell's execute_result
        if reply["content"].get("status") == "error" and cell.error is None:
            c = reply["content"]
            cell.error = {"ename": c.get("ename", ""), "evalue": c.get("evalue", ""), "traceback": c.get("traceback", [])}
        if cell.execution_count is None:
            cell.execution_count = reply["content"].get("execution_count")
        return cell


def run_notebook(path: Path, args) -> tuple[bool, str]:
    nb = nbformat.read(path, as_version=4)
    problems = [] if args.allow_outputs else is_clean(nb)
    if problems:
        return False, (
            f"not clean: {'; '.join(problems[:3])}: strip outputs before committing "
            f"(/usr/bin/python3 notebooks/run_notebooks.py --clean {path.name})"
        )
    started = time.monotonic()
    store_dir = Path(tempfile.mkdtemp(prefix="sentilab_nb_"))
    runs: list[tuple[object, CellRun]] = []
    failure = None
    ex = None
    try:
        ex = Executor(path, store_dir, args.timeout, args.grace)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            run = ex.run_cell(i, cell.source)
            runs.append((cell, run))
            if run.error:
                tb = ANSI.sub("", "\n".join(run.error["traceback"])) or f"{run.error['ename']}: {run.error['evalue']}"
                head = f"{run.error['ename']}: {ANSI.sub('', run.error['evalue'])}"
                tb = tb[len(head) :].lstrip("\n") if tb.startswith(head) else tb
                failure = f"cell {i} failed: {head}" + (f"\n{tb}" if tb else "")
                break
        ex.drain(args.grace * 2)  # late results of the last cell(s)
    except (TimeoutError, RuntimeError) as err:
        failure = str(err)
    finally:
        if ex is not None:
            ex.close()
        shutil.rmtree(store_dir, ignore_errors=True)

    outputs = late = 0
    for cell, run in runs:
        cell.outputs = run.outputs
        cell.execution_count = run.execution_count
        outputs += len(run.outputs)
        late += run.late
        want = expectations(cell)
        if failure or want is None:
            continue
        if not run.outputs:
            failure = f"cell {run.index} is marked expect-output but produced no output:\n{cell.source[:200]}"
            break
        mimes = {m for o in run.outputs if o.output_type in RICH for m in o.get("data", {})}
        missing = [m for m in want if m not in mimes]
        if missing:
            failure = (
                f"cell {run.index} should output {', '.join(missing)} but produced "
                f"{', '.join(sorted(mimes)) or 'no rich output'}"
            )
            break

    if args.output_dir:
        out = Path(args.output_dir)
        out.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out / path.name)
    secs = time.monotonic() - started
    summary = f"{len(runs)} code cells, {outputs} outputs ({late} after idle, kept), {secs:.1f} s"
    return failure is None, summary if failure is None else f"{failure}\n   ({summary})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="names or paths (default: every notebooks/*.ipynb)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per cell (default 600)")
    parser.add_argument("--grace", type=float, default=0.5, help="quiet seconds to wait after idle (default 0.5)")
    parser.add_argument("--output-dir", help="also write the executed notebooks (with outputs) here")
    parser.add_argument("--allow-outputs", action="store_true", help="do not require clean notebooks")
    parser.add_argument("--clean", action="store_true", help="strip outputs in place and exit")
    args = parser.parse_args()
    if args.timeout <= 0 or args.grace <= 0:
        print("run_notebooks: --timeout and --grace must be > 0", file=sys.stderr)
        return 2

    paths = []
    for name in args.notebooks or sorted(p.name for p in HERE.glob("*.ipynb")):
        p = Path(name)
        candidates = [p, HERE / p, HERE / f"{name}.ipynb"]
        found = next((c for c in candidates if c.is_file() and c.suffix == ".ipynb"), None)
        if found is None:
            print(f"run_notebooks: no notebook '{name}' (looked in {HERE})", file=sys.stderr)
            return 2
        paths.append(found.resolve())
    if not paths:
        print(f"run_notebooks: no notebooks in {HERE}", file=sys.stderr)
        return 2

    if args.clean:
        for p in paths:
            nb = nbformat.read(p, as_version=4)
            clean(nb)
            nbformat.write(nb, p)
            print(f"cleaned {p.name}")
        return 0

    failed = 0
    for p in paths:
        print(f"== {p.name}", flush=True)
        ok, message = run_notebook(p, args)
        print(f"{'ok' if ok else 'FAILED'}   {p.name}: {message}", flush=True)
        failed += not ok
    print(f"notebooks: {len(paths) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
