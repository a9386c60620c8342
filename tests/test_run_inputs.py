"""`run` on bad input of every kind: one line, a hint, exit 1 (data) or 2 (spec), never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import Result, run

BASE = ["run", "--filters", "2", "--kernel-size", "3"]


def refused(args: list[str], code: int = 1) -> Result:
    result = run(args)
    assert result.code == code, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: ") and lines[1].startswith("hint: "), result.stderr
    assert "Traceback" not in result.stderr
    return result


def data_refused(path: Path) -> str:
    """The two-line refusal of `run --data path` (error, then hint)."""
    return refused([*BASE, "--data", str(path)]).stderr


class Exploit:
    """Unpickling this would create a file: the proof that nothing was unpickled is that it does not exist."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))  # unpickling opens (creates) the marker file


def test_pickle_bearing_npy_is_never_loaded(tmp_path: Path) -> None:
    marker = tmp_path / "pwned.txt"
    path = tmp_path / "evil.npy"
    np.save(path, np.array([Exploit(marker)], dtype=object), allow_pickle=True)
    result = refused([*BASE, "--data", str(path)])
    assert "pickle" in result.stderr
    assert not marker.exists()
    np.load(path, allow_pickle=True)  # the payload is live: a careless load runs it
    assert marker.exists()


def test_npy_header_claiming_a_terabyte_allocates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "huge.npy"
    with path.open("wb") as handle:
        np.lib.format.write_array_header_1_0(handle, {"descr": "<f4", "fortran_order": False, "shape": (2**38, 4)})
        handle.write(b"\0" * 64)
    result = refused([*BASE, "--data", str(path)])
    assert "TiB" in result.stderr and "--max-bytes" in result.stderr


def test_npy_whose_size_does_not_match_its_header(tmp_path: Path) -> None:
    path = tmp_path / "short.npy"
    np.save(path, np.zeros((10, 3), np.float32))
    path.write_bytes(path.read_bytes()[:-8])
    assert "truncated" in data_refused(path)


def test_non_numeric_npy(tmp_path: Path) -> None:
    path = tmp_path / "words.npy"
    np.save(path, np.array([["a", "b"], ["c", "d"]]))
    assert "not real numbers" in data_refused(path)


def test_garbage_with_npy_suffix(tmp_path: Path) -> None:
    path = tmp_path / "fake.npy"
    path.write_text("hello")
    assert "not a readable .npy" in data_refused(path)


def test_csv_errors_name_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("1,2,3\n4,5,6\n7,eight,9\n")
    assert "row 3, column 2" in data_refused(path)
    path.write_text("a,b,c\n1,2,3\n")
    assert "row 1, column 1" in data_refused(path)
    path.write_text("1,2,3\n4,5\n")
    assert "row 2 has 2 values" in data_refused(path)


def test_json_errors_name_the_element(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('[[1, 2], [3, "x"], [5, 6]]')
    assert "[1][1]" in data_refused(path)
    path.write_text("[[1, 2], [3], [5, 6]]")
    assert "element [1] has shape (1,), element [0] (2,)" in data_refused(path)
    path.write_text("[[1, 2], [3, 4")
    assert "line 1" in data_refused(path)


def test_nan_and_infinity_are_located(tmp_path: Path) -> None:
    x = np.ones((6, 2), np.float32)
    x[4, 1] = np.nan
    np.save(tmp_path / "x.npy", x)
    assert "[4, 1]" in data_refused(tmp_path / "x.npy")
    kernel = np.ones((3, 2, 2), np.float32)
    kernel[2, 0, 1] = np.inf
    np.save(tmp_path / "k.npy", kernel)
    result = refused(["run", "--input", "6x2", "--kernel", str(tmp_path / "k.npy")])
    assert "kernel" in result.stderr and "[2, 0, 1]" in result.stderr


def test_kernel_in_the_other_frameworks_layout_names_the_transpose(tmp_path: Path) -> None:
    np.save(tmp_path / "w.npy", np.ones((8, 3, 5), np.float32))  # a PyTorch weight (F, C, k)
    result = refused(["run", "--input", "20x3", "-f", "8", "-k", "5", "--kernel", str(tmp_path / "w.npy")])
    assert "transpose" in result.stderr and "(2, 1, 0)" in result.stderr
    np.save(tmp_path / "k.npy", np.ones((5, 3, 8), np.float32))  # a Keras kernel given to PyTorch
    result = refused(
        ["run", "-F", "pytorch", "--input", "3x20", "-f", "8", "-k", "5", "--weight", str(tmp_path / "k.npy")]
    )
    assert "transpose" in result.stderr
    np.save(tmp_path / "w6.npy", np.ones((8, 6, 5), np.float32))  # only the transpose fits 6 channels in 5 …
    result = refused(["run", "--input", "20x5", "--kernel", str(tmp_path / "w6.npy")])
    assert "transpose" not in result.stderr  # … no: neither layout fits; say what does
    np.save(tmp_path / "w3.npy", np.ones((30, 3, 8), np.float32))  # Keras reads k=30 > L: what Keras says, …
    result = refused(["run", "--input", "20x3", "--padding", "valid", "--kernel", str(tmp_path / "w3.npy")], code=2)
    assert "zero or negative" in result.stderr and "transpose" not in result.stderr  # … though k=8 would fit
    result = refused(["run", "--input", "20x3", "-f", "30", "--kernel", str(tmp_path / "w3.npy")])
    assert "transpose" in result.stderr  # --filters 30 is the filter axis' evidence: that is a PyTorch weight


def test_kernel_and_bias_of_the_wrong_shape(tmp_path: Path) -> None:
    np.save(tmp_path / "k.npy", np.ones((3, 4, 2), np.float32))
    assert "(3, 3, 2)" in refused(["run", "--input", "20x3", "--kernel", str(tmp_path / "k.npy")]).stderr
    np.save(tmp_path / "b.npy", np.ones(5, np.float32))
    assert "(2,)" in refused([*BASE, "--input", "20x3", "--bias", str(tmp_path / "b.npy")]).stderr


def test_missing_directory_empty_and_text_files(tmp_path: Path) -> None:
    assert "does not exist" in data_refused(tmp_path / "nope.npy")
    assert "folder" in data_refused(tmp_path)
    (tmp_path / "empty.csv").write_text("")
    assert "empty" in data_refused(tmp_path / "empty.csv")
    (tmp_path / "words.txt").write_text("the quick brown fox\n")
    assert "not a number" in data_refused(tmp_path / "words.txt")


def test_random_input_over_budget_is_refused_before_it_is_drawn() -> None:
    result = refused([*BASE, "--input", "1000x1000000x1", "--max-bytes", str(2**30)])
    assert "random input" in result.stderr and "GiB" in result.stderr


def test_output_over_budget_names_its_size_and_npy() -> None:
    # the input (20 kB) and the kernel (400 B) fit; the output (5000 × 100 floats, 1.9 MiB) does not
    result = refused(["run", "--input", "5000x1", "-f", "100", "-k", "1", "--max-bytes", "1000000"])
    assert "the output (5000, 100) would take 1.9 MiB" in result.stderr and "--output out.npy" in result.stderr


def test_output_formats_that_cannot_hold_the_result(tmp_path: Path) -> None:
    assert "2-D" in refused([*BASE, "--input", "2x10x3", "--output", str(tmp_path / "y.csv")]).stderr
    assert "format" in refused([*BASE, "--input", "10x3", "--output", str(tmp_path / "y.xlsx")], code=2).stderr
    assert "folder" in refused([*BASE, "--input", "10x3", "--output", str(tmp_path / "no" / "y.npy")]).stderr


def test_spec_problems_are_usage_errors() -> None:
    for args, named in (
        (["run", "--input", "10x3", "-f", "2"], "--kernel-size is needed"),  # no kernel size, no kernel file
        (["run", "-f", "2", "-k", "3"], "no input"),  # no data at all
        ([*BASE, "--input", "2x10x3", "--dtype", "float16"], "--dtype 'float16'"),
        ([*BASE, "--input", "10x3", "-p", "full"], "not 'full'"),
    ):
        assert named in refused(args, code=2).stderr.splitlines()[0], args


def test_data_and_input_must_agree(tmp_path: Path) -> None:
    np.save(tmp_path / "x.npy", np.ones((1, 10, 3), np.float32))
    assert "disagrees" in refused([*BASE, "--data", str(tmp_path / "x.npy"), "--input", "10x4"]).stderr
    agreed = run([*BASE, "--data", str(tmp_path / "x.npy"), "--input", "10x3", "--json"])
    assert json.loads(agreed.stdout)["output_shape"] == [1, 8, 2]


def test_json_error_object_for_data_errors(tmp_path: Path) -> None:
    result = run([*BASE, "--data", str(tmp_path / "nope.npy"), "--json"])
    assert result.code == 1 and result.stdout == ""
    assert json.loads(result.stderr)["error"]["code"] == "data_error"


def test_a_kernel_too_big_to_draw_is_refused_before_it_is_drawn() -> None:
    result = refused(["run", "--input", "10x3", "-f", str(10**8), "-k", "1000", "-p", "same"])
    assert "the drawn kernel (1000, 3, 100000000)" in result.stderr and "budget" in result.stderr
    assert "--output" not in result.stderr  # the hint is about --max-bytes, not about writing a file


# Often a value a layer takes, else anything: so that answers are drawn as well as refusals.
_usual = st.integers(1, 3)
_small = st.one_of(_usual, st.integers(-2, 6))
_any = st.one_of(_usual, st.integers(-2, 6), st.integers(-(10**12), 10**12))


@settings(max_examples=150, deadline=None)
@given(
    framework=st.sampled_from(["keras", "pytorch"]),
    length=st.integers(1, 12),
    channels=st.integers(1, 4),
    batch=st.sampled_from([None, 1, 2]),
    filters=_any,
    kernel_size=_any,
    strides=_small,
    dilation=_small,
    groups=st.one_of(st.just(1), _small),
    padding=st.sampled_from(["valid", "same", "causal", "0", "2", "-1", "x"]),
    padding_mode=st.sampled_from(["zeros", "zeros", "reflect", "replicate", "circular"]),
    activation=st.sampled_from([None, None, "relu", "softmax", "glu", "threshold"]),
    command=st.sampled_from(["run", "trace"]),
)
def test_run_and_trace_answer_or_refuse_any_options(
    framework: str,
    length: int,
    channels: int,
    batch: int | None,
    filters: int,
    kernel_size: int,
    strides: int,
    dilation: int,
    groups: int,
    padding: str,
    padding_mode: str,
    activation: str | None,
    command: str,
) -> None:
    dims = (length, channels) if framework == "keras" else (channels, length)
    shape = "x".join(map(str, ((batch,) if batch else ()) + dims))
    spec = f"-F {framework} --input {shape} -f {filters} -k {kernel_size} -s {strides} -d {dilation}".split()
    spec += ["-g", str(groups), f"--padding={padding}", "--padding-mode", padding_mode, "--json"]
    spec += ["--activation", activation] if activation else []
    result = run([command, *spec, "--max-bytes", str(1 << 24)])
    assert result.code in (0, 1, 2), result
    assert "Traceback" not in result.stderr
    if result.code:
        assert result.stdout == "" and json.loads(result.stderr)["error"]["hint"]
    else:  # the layer `shape` describes, computed: the same output shape (run keeps the input's rank)
        first = json.loads(result.stdout.splitlines()[0])
        described = run(["shape", *spec])
        assert described.code == 0, described.stderr
        predicted = json.loads(described.stdout)["output_shape"]
        if command == "run":
            assert first["type"] == "run"
            assert first["output_shape"] == (predicted if batch else predicted[1:])
        else:
            assert first["type"] == "layer" and first["output_shape"] == predicted


def test_an_output_name_of_no_known_format_is_a_usage_error() -> None:
    result = run(["run", "--input", "2x20x3", "-f", "4", "-k", "3", "--output", "out.xyz"])
    assert result.code == 2 and "cannot tell the format" in result.stderr
