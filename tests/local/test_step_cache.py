"""The content key of a processing job (`run-local --resume`), on the local object store
without Docker: what changes a step's key and what does not."""

from __future__ import annotations

import io

import pytest

from legacylift.local.datasources import DataSources
from legacylift.local.step_cache import StepCache, load_steps

BUCKET = "s3://legacylift-local/m"


def _request(job: str, data: str, output: str, script: str = "pre.py") -> dict:
    return {
        "ProcessingJobName": job,
        "AppSpecification": {
            "ImageUri": "framework:1",
            "ContainerArguments": [f"/opt/ml/processing/input/code/{script}"],
        },
        "ProcessingInputs": [
            {"InputName": "data", "S3Input": {"S3Uri": data, "LocalPath": "/in"}},
            {"InputName": "code", "S3Input": {"S3Uri": f"{BUCKET}/code/", "LocalPath": "/c"}},
        ],
        "ProcessingOutputConfig": {
            "Outputs": [
                {"OutputName": "output", "S3Output": {"S3Uri": output, "LocalPath": "/out"}}
            ]
        },
        "Tags": [{"Key": "run", "Value": job}],
    }


@pytest.fixture
def store(local_settings):
    sources = DataSources(local_settings)

    def put(uri: str, text: str) -> None:
        sources.put(uri, io.BytesIO(text.encode()))

    put(f"{BUCKET}/input/a.csv", "1,2\n")
    put(f"{BUCKET}/code/pre.py", "print('pre')\n")
    put(f"{BUCKET}/code/post.py", "print('post')\n")
    put(f"{BUCKET}/code/helper.py", "X = 1\n")
    store = type("Store", (), {"sources": sources, "put": staticmethod(put)})
    return store


def _cache(local_settings, store, execution="run-1", **kwargs) -> StepCache:
    images = {"framework:1": "sha256:aaa"}
    return StepCache(
        local_settings,
        execution,
        store.sources,
        lambda ref, ignored: images.get(ref),
        frozenset({"pre.py", "post.py"}),
        **kwargs,
    )


def test_key_ignores_what_names_the_run_and_sees_content(local_settings, store):
    """Planted bug (tests/planted_bugs.py `step-key-without-input-content`): the inputs' URIs
    keyed instead of their content; a changed input object then keeps its key."""
    cache = _cache(local_settings, store)
    first = cache.key(_request("job-a", f"{BUCKET}/input/", f"{BUCKET}/runs/1/pre/"))
    same = cache.key(_request("job-b", f"{BUCKET}/input/", f"{BUCKET}/runs/2/pre/"))
    assert first is not None and first == same, "job name, tags and output URI are not content"
    store.put(f"{BUCKET}/input/a.csv", "1,3\n")
    assert cache.key(_request("job-c", f"{BUCKET}/input/", f"{BUCKET}/runs/3/pre/")) != first
    store.put(f"{BUCKET}/input/a.csv", "1,2\n")
    assert cache.key(_request("job-d", f"{BUCKET}/input/", f"{BUCKET}/runs/4/pre/")) == first


def test_code_key_leaves_out_only_the_other_steps_scripts(local_settings, store):
    cache = _cache(local_settings, store)
    pre = cache.key(_request("j1", f"{BUCKET}/input/", f"{BUCKET}/r/1/"))
    post = cache.key(_request("j2", f"{BUCKET}/input/", f"{BUCKET}/r/2/", "post.py"))
    store.put(f"{BUCKET}/code/post.py", "print('fixed')\n")
    assert cache.key(_request("j3", f"{BUCKET}/input/", f"{BUCKET}/r/3/")) == pre
    assert cache.key(_request("j4", f"{BUCKET}/input/", f"{BUCKET}/r/4/", "post.py")) != post
    store.put(f"{BUCKET}/code/helper.py", "X = 2\n")
    assert cache.key(_request("j5", f"{BUCKET}/input/", f"{BUCKET}/r/5/")) != pre


def test_an_unknown_image_has_no_key(local_settings, store):
    request = _request("j", f"{BUCKET}/input/", f"{BUCKET}/r/")
    request["AppSpecification"]["ImageUri"] = "missing:1"
    assert _cache(local_settings, store).key(request) is None


def test_a_step_after_one_that_ran_is_keyed_by_that_job(local_settings, store):
    """Planted bug (`step-key-without-provenance`): a step's input keyed by its bytes even when
    a job of this run wrote it; a changed earlier script whose output happens to be the same
    then leaves every later step reused, against 'a changed script invalidates its step and
    every later one'."""
    cache = _cache(local_settings, store)
    pre = _request("pre-1", f"{BUCKET}/input/", f"{BUCKET}/runs/1/pre/")
    pre_key = cache.key(pre)
    store.put(f"{BUCKET}/runs/1/pre/features.csv", "f\n")
    cache.completed(pre_key, pre, {"ProcessingJobName": "pre-1"}, 1)
    after = cache.key(_request("inf-1", f"{BUCKET}/runs/1/pre/", f"{BUCKET}/runs/1/inf/", "x"))

    other = _cache(local_settings, store, execution="run-2")
    store.put(f"{BUCKET}/runs/2/pre/features.csv", "f\n")  # same bytes, by another pre job
    other.completed("another-key", pre, {"ProcessingJobName": "pre-2"}, 1)
    again = other.key(_request("inf-2", f"{BUCKET}/runs/2/pre/", f"{BUCKET}/runs/2/inf/", "x"))
    assert again != after
    assert set(load_steps(local_settings, "run-1")) == {pre_key}


def test_reuse_copies_the_outputs_and_refuses_when_they_are_gone(local_settings, store):
    cache = _cache(local_settings, store)
    pre = _request("pre-1", f"{BUCKET}/input/", f"{BUCKET}/runs/1/pre/")
    key = cache.key(pre)
    store.put(f"{BUCKET}/runs/1/pre/features.csv", "f\n")
    cache.completed(key, pre, {"ProcessingJobName": "pre-1", "ProcessingJobArn": "arn"}, 1)

    previous = load_steps(local_settings, "run-1")
    resumed = _cache(local_settings, store, "run-2", previous=previous, resumed_from="run-1")
    request = _request("pre-2", f"{BUCKET}/input/", f"{BUCKET}/runs/2/pre/")
    reuse = resumed.reuse(resumed.key(request), request)
    assert reuse is not None and (reuse.job, reuse.run) == ("pre-1", "run-1")
    copied = store.sources.s3.path_of(f"{BUCKET}/runs/2/pre/features.csv")
    assert copied.read_text() == "f\n"

    copied.unlink()
    (store.sources.s3.path_of(f"{BUCKET}/runs/1/pre/features.csv")).unlink()
    third = _cache(local_settings, store, "run-3", previous=previous, resumed_from="run-1")
    request = _request("pre-3", f"{BUCKET}/input/", f"{BUCKET}/runs/3/pre/")
    assert third.reuse(third.key(request), request) is None
    assert "no longer in the store" in third.misses["pre-3"]
