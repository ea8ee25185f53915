"""Writes the search section of docs/benchmarks.md (between its markers) from a run.py report."""
import json
import os


def _f(x, fmt):
    return "-" if x is None else format(x, fmt)


def _main_table(r):
    h = {run["ef"]: run for run in r.get("hnswlib", {}).get("runs", [])}
    fa = {run["ef"]: run for run in r.get("faiss", {}).get("runs", [])}
    lines = ["| hnsw_ef | Quiver recall@10 | Quiver QPS (1 thread) | p50 / p95 / p99 ms |"
             " QPS (2 threads) | C++ client QPS (1 / 2 threads), p50 ms | hnswlib recall@10 |"
             " hnswlib QPS | faiss recall@10 | faiss QPS (1 thread) | faiss batch QPS (2 threads) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    by = {(x["hnsw_ef"], x["threads"]): x for x in r["runs"]}
    cpp = {(x["hnsw_ef"], x["threads"]): x for x in r.get("runs_cpp", [])}
    for ef in sorted({x["hnsw_ef"] for x in r["runs"]}):
        one, two, p, q = by[(ef, 1)], by[(ef, 2)], h.get(ef, {}), fa.get(ef, {})
        c1, c2 = cpp.get((ef, 1)), cpp.get((ef, 2))
        cpp_cell = (f"{c1['qps']:.0f} / {c2['qps']:.0f}, {c1['p50_ms']:.2f}" if c1 and c2 else "-")
        lines.append(f"| {ef} | {one['recall']:.4f} | {one['qps']:.0f} | {one['p50_ms']:.2f} /"
                     f" {one['p95_ms']:.2f} / {one['p99_ms']:.2f} | {two['qps']:.0f} | {cpp_cell} |"
                     f" {_f(p.get('recall'), '.4f')} | {_f(p.get('qps'), '.0f')} |"
                     f" {_f(q.get('recall'), '.4f')} | {_f(q.get('qps'), '.0f')} |"
                     f" {_f(q.get('batch_qps'), '.0f')} |")
    return lines


def cpp_filtered(f):
    c = f.get("cpp")
    return f"{c['qps']:.0f}, {c['p50_ms']:.2f}" if c else "-"


def _filtered_table(r):
    fa = {(x["selectivity"], x["ef"]): x for x in r.get("faiss", {}).get("filtered", [])}
    lines = ["| selectivity | hnsw_ef | Quiver recall@10 | Quiver QPS | p50 / p99 ms |"
             " C++ client QPS, p50 ms | faiss recall@10 | faiss QPS | faiss result slots filled |",
             "|---|---|---|---|---|---|---|---|---|"]
    for f in r["filtered"]:
        q = fa.get((f["selectivity"], f["hnsw_ef"]), {})
        lines.append(f"| {f['selectivity']} | {f['hnsw_ef']} | {f['recall']:.4f} | {f['qps']:.0f} |"
                     f" {f['p50_ms']:.2f} / {f['p99_ms']:.2f} |"
                     f" {cpp_filtered(f)} | {_f(q.get('recall'), '.4f')} |"
                     f" {_f(q.get('qps'), '.0f')} | {_f(q.get('filled'), '.3f')} |")
    return lines


def _quant_tables(r):
    lines = []
    for p in r.get("quant_passes", []):
        took = (f"{p['patch_to_green_seconds']:.1f} s from PATCH to `green`"
                if p["optimizer_ran"] else "the optimizer never started (status stayed green)")
        lines += ["", f"Quantization pass `{p['kind']}` (PATCH `quantization_config` ="
                      f" `{json.dumps(p['config'])}` on the loaded collection): {took};"
                      f" server RSS afterwards {p['rss_mb']:.0f} MB (peak so far"
                      f" {p['peak_rss_mb']:.0f} MB). Searches rescore, oversampling"
                      f" {p['oversampling']}, 1 client thread:", "",
                  "| hnsw_ef | recall@10 | QPS | p50 / p95 / p99 ms |", "|---|---|---|---|"]
        for x in p["runs"]:
            lines.append(f"| {x['hnsw_ef']} | {x['recall']:.4f} | {x['qps']:.0f} |"
                         f" {x['p50_ms']:.2f} / {x['p95_ms']:.2f} / {x['p99_ms']:.2f} |")
    return lines


def write_docs(r, args, path):
    lines = [
        "<!-- search:begin -->",
        "## Search: quiver serve over REST vs hnswlib and faiss in-process",
        "",
        f"Command: `/usr/bin/python3 bench/search/run.py {args}` (data: `bench/common/datagen.py`, a seeded",
        f"Gaussian mixture of 2,000 centres, L2-normalised, Cosine). n = {r['n']:,}, dim = {r['dim']},"
        f" {r['queries']} held-out queries, m = 16, ef_construct = 100, machine: {r['machine']}.",
        "Quiver is measured over REST from a Python client (http.client, keep-alive), which itself costs",
        "about 0.2-0.3 ms per request, and from a C++ client (`bench/search/rest_client.cpp`: one",
        "keep-alive connection per thread, request bodies encoded before the clock starts, responses read",
        "and their ids checked inside it); hnswlib (C++) and faiss (Python bindings, one `search` call per",
        "query) are measured in-process with one thread.",
        "",
        (f"- Load with `quiver ingest --bulk` (base.npy + payload JSONL, `--parallel 4`; indexing"
         f" deferred during the load, then restored): every point durable after"
         f" {r['ingest_durable_seconds']:.1f} s; last upsert to `green`:"
         f" {r['last_upsert_to_green_seconds']:.1f} s"
         if r.get("loader") == "ingest" else
         f"- Upload ({r['n']:,} points with payloads, 2 connections, batches of 500, `wait=true`,"
         f" indexing during the load): {r['upload_seconds']:.1f} s; last upsert to `green`:"
         f" {r['last_upsert_to_green_seconds']:.1f} s")
        + f" ({r['segments']} segments, {r['indexed_vectors']:,} vectors in graphs); queries start"
        f" {r.get('settle', 0):.0f} s after `green` (the last checkpoint writes the merged segments).",
    ]
    if "hnswlib" in r:
        lines.append(f"- hnswlib 0.6.2 (`-O3 -march=native`, 2 threads) build:"
                     f" {r['hnswlib']['build_seconds']:.1f} s.")
    if "faiss" in r:
        lines.append(f"- {r['faiss']['peer']} (Debian python3-faiss, compile options"
                     f" `{r['faiss'].get('compile_options', '?')}`,"
                     f" M = 16, efConstruction = 100, inner product, 2 threads) build:"
                     f" {r['faiss']['build_seconds']:.1f} s.")
    lines += [f"- Quiver server RSS at `green`: {r['server_rss_at_green_mb']:.0f} MB; after the float"
              f" measurements {r['server_rss_after_float_mb']:.0f} MB (peak"
              f" {r['server_peak_rss_float_mb']:.0f} MB); peak over the whole run including the"
              f" quantization passes: {r['server_peak_rss_mb']:.0f} MB.", ""]
    lines += _main_table(r)
    e = r["exact"]
    lines += ["", f"Exact search (`params.exact`): recall {e['recall']:.4f}, {e['qps']:.0f} QPS.", "",
              "Filtered search (payload indexes on the filtered fields, 1 thread; faiss with an"
              " `IDSelectorBitmap` in `SearchParametersHNSW`, which filters during the graph walk and"
              " returns fewer than 10 ids when the walk finds fewer):", ""]
    lines += _filtered_table(r)
    lines += _quant_tables(r)
    lines.append("<!-- search:end -->")
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n\n"
    section = "\n".join(lines)
    if "<!-- search:begin -->" in text:
        head, rest = text.split("<!-- search:begin -->", 1)
        tail = rest.split("<!-- search:end -->", 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    with open(path, "w") as f:
        f.write(text)
