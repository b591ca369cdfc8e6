import json
import os

import numpy as np
import pandas as pd
import pytest

import xietong
from conftest import cli


@pytest.fixture(scope="module")
def df():
    rng = np.random.default_rng(42)
    n = 300
    d = pd.DataFrame(
        {
            "score": rng.normal(3.0, 1.0, n).round(3),
            "group": rng.choice(["城市", "农村"], n),
            "region": rng.choice([1, 2, 3], n),
            "q1": rng.integers(1, 6, n),
            "q2": rng.integers(1, 6, n).astype(float),
            "q3": rng.integers(1, 6, n),
            "opt_a": rng.integers(0, 2, n),
            "opt_b": rng.integers(0, 2, n),
            "opt_c": rng.integers(0, 2, n),
        }
    )
    d.loc[rng.choice(n, 20, replace=False), "score"] = np.nan
    d.loc[rng.choice(n, 10, replace=False), "q2"] = np.nan
    d.loc[rng.choice(n, 5, replace=False), "group"] = None
    return d


@pytest.fixture(scope="module")
def csv(df, tmp_path_factory):
    p = tmp_path_factory.mktemp("survey") / "data.csv"
    df.to_csv(p, index=False)
    return p


def cli_json(*args):
    return json.loads(cli("survey", *args, "--json").stdout)


def test_ttest(df, csv):
    got = xietong.survey.ttest(df, "score", "group", levels=["城市", "农村"])
    assert got == cli_json("ttest", csv, "--value", "score", "--group", "group", "--levels", "城市,农村")
    assert got["groups"][0]["n"] + got["groups"][1]["n"] == int(df.dropna(subset=["score", "group"]).shape[0])


def test_ttest_conf_and_median(df, csv):
    got = xietong.survey.ttest(df, "score", "group", conf=0.9, levene_median=True)
    want = cli_json("ttest", csv, "--value", "score", "--group", "group", "--conf", 0.9, "--levene-median")
    assert got == want


def test_anova_numeric_groups(df, csv):
    got = xietong.survey.anova(df, "score", "region")
    assert got == cli_json("anova", csv, "--value", "score", "--group", "region")


def test_chi2(df, csv):
    got = xietong.survey.chi2(df, "group", "region")
    assert got == cli_json("chi2", csv, "--row", "group", "--col", "region")


@pytest.mark.parametrize("policy", ["listwise", "pairwise"])
def test_alpha(df, csv, policy):
    got = xietong.survey.alpha(df, ["q1", "q2", "q3"], missing_policy=policy)
    assert got == cli_json("alpha", csv, "--items", "q1,q2,q3", "--missing-policy", policy)


def test_multi(df, csv):
    got = xietong.survey.multi(df, ["opt_a", "opt_b", "opt_c"], group="group")
    assert got == cli_json("multi", csv, "--items", "opt_a,opt_b,opt_c", "--group", "group")


def test_wenjuanxing_export(repo):
    path = os.path.join(repo, "examples", "survey", "wjx_sample.csv")
    d = pd.read_csv(path, encoding="utf-8-sig")
    got = xietong.survey.anova(d, "3、政策研究工作情况", "1、您所在的省份")
    want = cli_json("anova", path, "--value", "3、政策研究工作情况", "--group", "1、您所在的省份")
    assert got == want


def test_errors_name_the_column(df):
    with pytest.raises(xietong.InputError, match="no column 'nope'"):
        xietong.survey.ttest(df, "nope", "group")
    bad = df.assign(score=df["score"].astype(object))
    bad.loc[0, "score"] = "abc"
    with pytest.raises(xietong.InputError, match="expected a number, found 'abc'"):
        xietong.survey.ttest(bad, "score", "group")


@pytest.fixture(scope="module")
def wjx(tmp_path_factory):
    """A Wenjuanxing-style frame (metadata columns, so negative whole numbers are skip codes)
    with awkward doubles, a float column read as categories, and a 99 missing code."""
    rng = np.random.default_rng(7)
    n = 400
    d = pd.DataFrame(
        {
            "序号": np.arange(1, n + 1),
            "提交答卷时间": ["2024/5/1 10:00:00"] * n,
            "1、得分": rng.normal(0, 1, n) / 3 + 0.1,
            "2、地区": rng.choice([1.0, 2.0, 3.0, np.nan], n),
            "3、满意度": rng.choice([1, 2, 3, 4, 5, 99, -3, -2], n),
            "4、信任": rng.integers(1, 6, n).astype(float) * 1.1,
            "5、类型": rng.choice(["甲", "乙"], n),
        }
    )
    d.loc[rng.choice(n, 30, replace=False), "1、得分"] = -2.0  # a skip code here
    d.loc[rng.choice(n, 5, replace=False), "1、得分"] = 1e-7
    p = tmp_path_factory.mktemp("wjx") / "wjx.csv"
    d.to_csv(p, index=False)
    return d, p


def test_numbers_reach_the_statistics_as_from_the_csv(wjx):
    d, p = wjx
    miss = ["99"]
    got = xietong.survey.anova(d, "1、得分", "2、地区", missing=miss)
    assert got == cli_json("anova", p, "--value", "1、得分", "--group", "2、地区", "--missing", "99")
    # Float group labels are pandas' text ("1.0"), as in the CSV.
    assert [g["level"] for g in got["groups"]] == ["1.0", "2.0", "3.0"]
    got = xietong.survey.ttest(d, "3、满意度", "5、类型", missing=miss)
    want = cli_json("ttest", p, "--value", "3、满意度", "--group", "5、类型", "--missing", "99")
    assert got == want
    # 99, -3 and -2 are missing: the counts are those of 1..5 only.
    assert sum(g["n"] for g in got["groups"]) == int(d["3、满意度"].between(1, 5).sum())
    got = xietong.survey.alpha(d, ["1、得分", "3、满意度", "4、信任"], missing=miss)
    assert got == cli_json("alpha", p, "--items", "1、得分,3、满意度,4、信任", "--missing", "99")
    got = xietong.survey.chi2(d, "2、地区", "5、类型")
    assert got == cli_json("chi2", p, "--row", "2、地区", "--col", "5、类型")


def test_float32_reads_as_its_csv_text(tmp_path):
    d = pd.DataFrame({"v": np.array([0.1, 0.2, 0.7, 1.3, 2.9, 0.3], dtype=np.float32), "g": list("aabbab")})
    p = tmp_path / "f32.csv"
    d.to_csv(p, index=False)
    assert xietong.survey.ttest(d, "v", "g") == cli_json("ttest", p, "--value", "v", "--group", "g")


@pytest.fixture(scope="module")
def texts(tmp_path_factory):
    """Text columns with missing values (None, NaN, empty text, a skip marker), labels that
    differ only by spaces or a free-text attachment, and a delimited multiple-choice column."""
    rng = np.random.default_rng(11)
    n = 500
    d = pd.DataFrame(
        {
            "score": rng.normal(3.0, 1.0, n).round(2),
            "g2": rng.choice(["城市", "农村", None], n, p=[0.45, 0.45, 0.1]),
            "g3": rng.choice(["甲", "乙", " 乙", "丙", "其他〖自填〗", "", "(跳过)", "99"], n),
            "pick": rng.choice(["A┋B", "B", "A┋C〖说明〗", "C", "(跳过)", None], n),
            "num": rng.choice([1.5, 2.0, 3.25, np.nan], n),
        }
    )
    p = tmp_path_factory.mktemp("texts") / "texts.csv"
    d.to_csv(p, index=False)
    return d, p


def _as(d, kind):
    """The text columns of ``d`` as pandas' default string dtype, Python objects, or categoricals
    (with an unused category, and the float column as a categorical of floats)."""
    out = d.copy()
    for c in ["g2", "g3", "pick"]:
        if kind == "category":
            out[c] = pd.Categorical(d[c], categories=sorted(d[c].dropna().unique()) + ["never used"])
        else:
            out[c] = d[c].astype(kind)
    if kind == "category":
        out["num"] = d["num"].astype("category")
    return out


@pytest.mark.parametrize("kind", ["str", "object", "category"])
def test_text_columns_match_the_csv(texts, kind):
    d, p = texts
    d = _as(d, kind)
    if kind != "object":
        assert str(d["g2"].dtype) == kind
    got = xietong.survey.ttest(d, "score", "g2")
    assert got == cli_json("ttest", p, "--value", "score", "--group", "g2")
    for miss in [[], ["99"]]:
        extra = [a for m in miss for a in ("--missing", m)]
        got = xietong.survey.anova(d, "score", "g3", missing=miss)
        assert got == cli_json("anova", p, "--value", "score", "--group", "g3", *extra)
        assert "其他" in [g["level"] for g in got["groups"]]
        got = xietong.survey.chi2(d, "g3", "g2", missing=miss)
        assert got == cli_json("chi2", p, "--row", "g3", "--col", "g2", *extra)
    # " 乙" and "乙" are one level, as in the file.
    assert got["row_levels"].count("乙") == 1 and " 乙" not in got["row_levels"]
    got = xietong.survey.chi2(d, "num", "g2")
    assert got == cli_json("chi2", p, "--row", "num", "--col", "g2")
    assert sorted(got["row_levels"]) == ["1.5", "2.0", "3.25"]
    got = xietong.survey.multi(d, "pick", group="g3")
    assert got == cli_json("multi", p, "--items", "pick", "--group", "g3")
    assert got["by_group"] and "never used" not in [g for g, _ in got["by_group"]]
    # Numbers held as text (object) read as numbers, as in the file.
    nums = d.assign(score=d["score"].map(lambda v: None if np.isnan(v) else str(v)).astype(kind))
    assert xietong.survey.ttest(nums, "score", "g2") == cli_json("ttest", p, "--value", "score", "--group", "g2")


def test_text_columns_are_coded_from_their_own_memory(texts, tmp_path):
    """Arrow-backed strings (chunked, and a slice that starts inside its buffers) and object
    arrays (distinct objects with equal text, numbers, None, NaN and pd.NA as objects) are coded
    in Rust from the column's memory, with the results of the same rows read from a CSV."""
    pa = pytest.importorskip("pyarrow")
    d, _ = texts
    half = len(d) // 2
    # Two chunks: pandas concatenates Arrow strings without combining their chunks.
    g3 = pd.concat([d["g3"].iloc[:half].astype("str"), d["g3"].iloc[half:].astype("str")], ignore_index=True)
    assert g3.array.__arrow_array__().num_chunks >= 2
    sliced = d.iloc[37:].reset_index(drop=True)
    s_g2 = d["g2"].astype("str").iloc[37:].reset_index(drop=True)
    assert s_g2.array.__arrow_array__().chunks[0].offset == 37
    # Equal text in distinct objects, numbers and every missing marker pandas knows, as objects.
    mixed = ["".join(list(v)) if isinstance(v, str) else None for v in d["g2"]]
    mixed = [pd.NA if i % 17 == 0 else (float("nan") if i % 19 == 0 else v) for i, v in enumerate(mixed)]
    obj = pd.Series(mixed, dtype=object)
    nums = pd.Series([3 if i % 3 else 4.5 for i in range(len(d))], dtype=object)
    cases = [
        ("g3", d.assign(g3=g3), "arrow"),
        ("g2", sliced.assign(g2=s_g2), "arrow"),
        ("g2", d.assign(g2=obj), "objects"),
        ("g2", d.assign(g2=nums), "objects"),
    ]
    for i, (col, frame, transport) in enumerate(cases):
        assert xietong.survey._column(frame[col], as_text=True)[0] == transport
        p = tmp_path / f"case{i}.csv"
        frame.to_csv(p, index=False)
        got = xietong.survey.anova(frame, "score", col)
        assert got == cli_json("anova", p, "--value", "score", "--group", col)
        got = xietong.survey.chi2(frame, col, "pick")
        assert got == cli_json("chi2", p, "--row", col, "--col", "pick")


def test_numeric_columns_read_in_place_match_the_csv(tmp_path):
    """float64, int64 and int32 columns are read from the column's own memory, including a
    column that is a strided view of a 2-D block (made contiguous first)."""
    rng = np.random.default_rng(5)
    block = rng.normal(3.0, 1.0, (300, 3)).round(3)
    block[rng.random(300) < 0.05, 0] = np.nan
    d = pd.DataFrame(block, columns=["a", "b", "c"])  # one 2-D block: strided columns
    d["i64"] = rng.integers(1, 6, 300)
    d["i32"] = rng.integers(1, 6, 300).astype(np.int32)
    d["g"] = rng.choice(["x", "y", "z"], 300)
    p = tmp_path / "nums.csv"
    d.to_csv(p, index=False)
    for col in ["a", "i64", "i32"]:
        assert xietong.survey._column(d[col])[0] == "numbers"
        got = xietong.survey.anova(d, col, "g")
        assert got == cli_json("anova", p, "--value", col, "--group", "g")
    got = xietong.survey.alpha(d, ["a", "b", "c", "i64", "i32"])
    assert got == cli_json("alpha", p, "--items", "a,b,c,i64,i32")
