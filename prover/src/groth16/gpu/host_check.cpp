// Runs the kernels of msm.cu on the CPU, one thread after another, through the same pipeline as
// device.rs (`Device::pass`), on vectors written by the prover's test
// `write_kernel_vectors_for_the_host_harness`, and compares with arkworks' results. It checks the
// CUDA source's field and curve arithmetic and indexing on a machine without a GPU:
//
//   CORRIDOR_KERNEL_VECTORS=/tmp/v cargo test -p corridor-prover --lib write_kernel_vectors -- --ignored
//   g++ -O2 -std=c++17 -I/tmp/v -o /tmp/v/host_check prover/src/groth16/gpu/host_check.cpp
//   /tmp/v/host_check /tmp/v/vectors.bin
//
// Not part of the build: the GPU itself is checked by the device tests.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

typedef unsigned int u32;
typedef unsigned long long u64;
#define CORRIDOR_HOST_EMULATION
struct Dim3 { u32 x, y, z; };
static Dim3 threadIdx, blockIdx, blockDim;
#define __device__
#define DEVICE inline
#define POINT_OP inline
#define KERNEL extern "C"
#define UNROLL
#define THREAD_ID ((u64)blockIdx.x * (u64)blockDim.x + (u64)threadIdx.x)
static u32 atomicAdd(u32* p, u32 v) { u32 o = *p; *p += v; return o; }

#include "consts.h"
#include "msm.cu"

template <class K> static void launch(u64 threads, K k) {
    blockDim.x = 7;  // any block size: threads past the end return
    u64 blocks = (threads + 6) / 7;
    for (u64 b = 0; b < blocks; b++)
        for (u32 t = 0; t < 7; t++) {
            blockIdx.x = (u32)b;
            threadIdx.x = t;
            k();
        }
}

static const u32 SCAN_CHUNK = 5;  // small, so that the scan recurses

static std::vector<u32> exclusive_scan(const std::vector<u32>& values) {
    u32 len = values.size();
    u32 chunks = (len + SCAN_CHUNK - 1) / SCAN_CHUNK;
    std::vector<u32> bases;
    if (chunks <= 1) {
        bases.assign(1, 0);
    } else {
        std::vector<u32> sums(chunks, 0);
        launch(chunks, [&] { scan_chunk_sums(values.data(), len, SCAN_CHUNK, sums.data()); });
        bases = exclusive_scan(sums);
    }
    std::vector<u32> out(len + 1, 0xdeadbeef);
    launch(chunks ? chunks : 1, [&] { scan_chunks(values.data(), len, SCAN_CHUNK, bases.data(), out.data()); });
    return out;
}

template <class F> struct Curve;
template <> struct Curve<Fq> {
    static void accumulate(const u32* a, const u32* b, const u32* c, u32 d, u32 e, u32* f, u32* g, u32* h) { g1_accumulate(a, b, c, d, e, f, g, h); }
    static void fixup(const u32* a, u32 b, u32 c, const u32* d, const u32* e, u32* f) { g1_fixup(a, b, c, d, e, f); }
    static void reduce(const u32* a, u32 b, u32 c, u32 d, u32* e) { g1_reduce(a, b, c, d, e); }
    static void sum_groups(const u32* a, u32 b, u32 c, u32* d) { g1_sum_groups(a, b, c, d); }
};
template <> struct Curve<Fq2> {
    static void accumulate(const u32* a, const u32* b, const u32* c, u32 d, u32 e, u32* f, u32* g, u32* h) { g2_accumulate(a, b, c, d, e, f, g, h); }
    static void fixup(const u32* a, u32 b, u32 c, const u32* d, const u32* e, u32* f) { g2_fixup(a, b, c, d, e, f); }
    static void reduce(const u32* a, u32 b, u32 c, u32 d, u32* e) { g2_reduce(a, b, c, d, e); }
    static void sum_groups(const u32* a, u32 b, u32 c, u32* d) { g2_sum_groups(a, b, c, d); }
};

static Fq fq_pow_p_minus_2(const Fq& a) {
    u32 pm2[8];
    for (int i = 0; i < 8; i++) pm2[i] = FQ_P[i];
    pm2[0] -= 2;  // p is odd and p[0] > 2
    Fq r = fq_one();
    for (int i = 255; i >= 0; i--) {
        r = fq_mul(r, r);
        if ((pm2[i / 32] >> (i % 32)) & 1) r = fq_mul(r, a);
    }
    return r;
}
static Fq f_inv(const Fq& a) { return fq_pow_p_minus_2(a); }
static Fq2 f_inv(const Fq2& a) {
    Fq n = fq_add(fq_mul(a.c0, a.c0), fq_mul(a.c1, a.c1));
    Fq ni = fq_pow_p_minus_2(n);
    Fq2 r;
    r.c0 = fq_mul(a.c0, ni);
    r.c1 = fq_neg(fq_mul(a.c1, ni));
    return r;
}

template <class F>
static bool run_case(const u32*& in, int index) {
    const u32 fw = Words<F>::FIELD, pw = 4 * fw;
    u32 n = *in++, batch = *in++, c = *in++;
    const u32* bases = in;
    in += (u64)n * 2 * fw;
    const u32* scalars = in;
    in += (u64)batch * n * 8;
    u32 windows = (255 + c - 1) / c, nb = 1u << (c - 1);
    u32 num_buckets = batch * windows * nb;
    const u32 chunk = 3;  // small, so that buckets split across chunks

    std::vector<u32> counts(num_buckets, 0);
    launch((u64)batch * n, [&] { msm_count_digits(scalars, n, batch, c, windows, counts.data()); });
    std::vector<u32> offsets = exclusive_scan(counts);
    u32 total = offsets[num_buckets];
    std::vector<u32> cursor = offsets, entries(total + 1), keys(total + 1);
    launch((u64)batch * n, [&] { msm_scatter_digits(scalars, n, batch, c, windows, cursor.data(), entries.data(), keys.data()); });
    u32 chunks = (total + chunk - 1) / chunk;
    std::vector<u32> buckets((u64)num_buckets * pw, 0), left((u64)(chunks + 1) * pw, 0), right((u64)(chunks + 1) * pw, 0);
    if (total) {
        launch(chunks, [&] { Curve<F>::accumulate(bases, entries.data(), keys.data(), total, chunk, buckets.data(), left.data(), right.data()); });
        launch(num_buckets, [&] { Curve<F>::fixup(offsets.data(), num_buckets, chunk, left.data(), right.data(), buckets.data()); });
    }
    u32 group = nb < 32 ? nb : 32, groups = nb / group, all = batch * windows;
    std::vector<u32> sums((u64)all * groups * pw, 0);
    launch((u64)all * groups, [&] { Curve<F>::reduce(buckets.data(), all, nb, group, sums.data()); });
    u32 per = groups;
    while (per > 1) {
        u32 glen = per < 32 ? per : 32, next = per / glen;
        std::vector<u32> out((u64)all * next * pw, 0);
        launch((u64)all * next, [&] { Curve<F>::sum_groups(sums.data(), all * next, glen, out.data()); });
        sums.swap(out);
        per = next;
    }
    bool ok = true;
    for (u32 b = 0; b < batch; b++) {
        Xyzz<F> acc = xyzz_identity<F>();
        for (int j = (int)windows - 1; j >= 0; j--) {
            for (u32 k = 0; k < c; k++) acc = xyzz_double(acc);
            acc = xyzz_add(acc, xyzz_load<F>(sums.data() + ((u64)b * windows + j) * pw));
        }
        u32 expected_identity = *in++;
        const u32* ex = in;
        in += 2 * fw;
        bool got_identity = xyzz_is_identity(acc);
        bool same;
        if (got_identity || expected_identity) {
            same = got_identity && expected_identity;
        } else {
            F x = f_mul(acc.x, f_inv(acc.zz));
            F y = f_mul(acc.y, f_inv(acc.zzz));
            u32 words[32];
            f_store(words, x);
            f_store(words + fw, y);
            same = memcmp(words, ex, 2 * fw * 4) == 0;
        }
        if (!same) {
            printf("case %d (G%d, n = %u, c = %u), vector %u: MISMATCH\n", index, fw == 8 ? 1 : 2, n, c, b);
            ok = false;
        }
    }
    printf("case %d (G%d, n = %u, batch %u, c = %u, %u entries): %s\n", index, fw == 8 ? 1 : 2, n, batch, c, total, ok ? "ok" : "FAILED");
    return ok;
}

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    FILE* f = fopen(argv[1], "rb");
    if (!f) return 2;
    std::vector<u32> data;
    u32 w;
    while (fread(&w, 4, 1, f) == 1) data.push_back(w);
    fclose(f);
    const u32* in = data.data();
    u32 cases = *in++;
    int failed = 0;
    for (u32 i = 0; i < cases; i++) {
        u32 curve = *in++;
        bool ok = curve == 1 ? run_case<Fq>(in, i) : run_case<Fq2>(in, i);
        failed += !ok;
    }
    printf("%u cases, %d failed\n", cases, failed);
    return failed ? 1 : 0;
}
