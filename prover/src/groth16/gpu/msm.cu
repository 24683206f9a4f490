// Pippenger multiscalar multiplication over BN254 G1 and G2 for corridor-prover's `gpu` feature.
//
// Compiled at run time by NVRTC (no CUDA headers, no CUB): the host prepends the field constants
// (`CORRIDOR_FQ_MODULUS`, `CORRIDOR_FQ_INV`, `CORRIDOR_FQ_ONE`, taken from arkworks) and loads the
// PTX. The algorithm, step by step, is `groth16::pippenger` on the host, where a Rust emulation of
// exactly these kernels is tested against arkworks; this file is its transliteration.
//
// Representation: field elements are 8 little-endian 32-bit limbs in Montgomery form with
// R = 2^256 (byte-identical to arkworks' `Fp256`), always fully reduced (< p). Fq2 = Fq[u]/(u^2+1)
// is (c0, c1). Affine bases are (x, y); the host never uploads the identity. Accumulators are XYZZ
// points (x = X/ZZ, y = Y/ZZZ, ZZ^3 = ZZZ^2); the identity is ZZ = 0, stored as all zero, so
// zeroed memory is a buffer of identities.
//
// Pipeline for `batch` scalar vectors of `n` scalars against the same `n` resident bases, with
// windows of `c` bits (`nb = 2^(c-1)` buckets per window, `windows = ceil(255 / c)`):
//   1. msm_count_digits   signed (Booth) digits of every scalar; histogram per (batch, window, bucket)
//   2. scan_*             exclusive prefix sum of the histogram: bucket offsets (a counting sort)
//   3. msm_scatter_digits the digits again, each (point index | sign << 31) put in its bucket's slot
//   4. accumulate_*       fixed chunks of `chunk` sorted entries per thread: a run of one bucket that
//                         stays inside its chunk is that bucket's sum; pieces of runs that cross a
//                         chunk boundary go to left/right
//   5. fixup_*            buckets that cross chunk boundaries: their pieces summed
//   6. reduce_*           per window, groups of `seg` buckets: sum_k (k + 1) * B_k by running sums
//   7. sum_groups_*       the groups' partial sums added into one point per (batch, window)
// The host then combines the windows (Horner in 2^c) in arkworks.

#ifndef CORRIDOR_HOST_EMULATION
typedef unsigned int u32;
typedef unsigned long long u64;
#define DEVICE __device__ __forceinline__
// Field products and point operations stay out of line: inlining every product of every formula
// into each kernel makes megabytes of PTX that NVRTC and ptxas take minutes over and that thrash
// the instruction cache; a call costs little next to a 256-bit Montgomery product.
#define POINT_OP __device__ __noinline__
#define KERNEL extern "C" __global__
#define UNROLL _Pragma("unroll")
#define THREAD_ID ((u64)blockIdx.x * (u64)blockDim.x + (u64)threadIdx.x)
#endif

// ---------------------------------------------------------------------------------------------
// Fq: the BN254 base field.

__device__ const u32 FQ_P[8] = CORRIDOR_FQ_MODULUS;
__device__ const u32 FQ_ONE[8] = CORRIDOR_FQ_ONE;
#define FQ_INV CORRIDOR_FQ_INV

struct Fq {
    u32 l[8];
};

DEVICE Fq fq_zero() {
    Fq r;
    UNROLL for (int i = 0; i < 8; i++) r.l[i] = 0;
    return r;
}

DEVICE Fq fq_one() {
    Fq r;
    UNROLL for (int i = 0; i < 8; i++) r.l[i] = FQ_ONE[i];
    return r;
}

DEVICE bool fq_is_zero(const Fq& a) {
    u32 acc = 0;
    UNROLL for (int i = 0; i < 8; i++) acc |= a.l[i];
    return acc == 0;
}

// a >= p, for a 256-bit a.
DEVICE bool fq_geq_p(const Fq& a) {
    UNROLL for (int i = 7; i >= 0; i--) {
        if (a.l[i] != FQ_P[i]) return a.l[i] > FQ_P[i];
    }
    return true;
}

// a - p (the caller knows a >= p, or discards the borrow).
DEVICE Fq fq_sub_p(const Fq& a) {
    Fq r;
    u64 borrow = 0;
    UNROLL for (int i = 0; i < 8; i++) {
        u64 t = (u64)a.l[i] - (u64)FQ_P[i] - borrow;
        r.l[i] = (u32)t;
        borrow = (t >> 32) & 1;
    }
    return r;
}

DEVICE Fq fq_add(const Fq& a, const Fq& b) {
    // a, b < p < 2^254: the sum < 2^255 has no carry out of 256 bits.
    Fq r;
    u64 carry = 0;
    UNROLL for (int i = 0; i < 8; i++) {
        u64 t = (u64)a.l[i] + (u64)b.l[i] + carry;
        r.l[i] = (u32)t;
        carry = t >> 32;
    }
    return fq_geq_p(r) ? fq_sub_p(r) : r;
}

DEVICE Fq fq_sub(const Fq& a, const Fq& b) {
    Fq r;
    u64 borrow = 0;
    UNROLL for (int i = 0; i < 8; i++) {
        u64 t = (u64)a.l[i] - (u64)b.l[i] - borrow;
        r.l[i] = (u32)t;
        borrow = (t >> 32) & 1;
    }
    if (borrow) {
        u64 carry = 0;
        UNROLL for (int i = 0; i < 8; i++) {
            u64 t = (u64)r.l[i] + (u64)FQ_P[i] + carry;
            r.l[i] = (u32)t;
            carry = t >> 32;
        }
    }
    return r;
}

DEVICE Fq fq_neg(const Fq& a) {
    return fq_is_zero(a) ? a : fq_sub(fq_zero(), a);
}

DEVICE Fq fq_dbl(const Fq& a) { return fq_add(a, a); }

// Montgomery product a * b / 2^256 mod p (CIOS, 32-bit limbs, 64-bit products).
POINT_OP Fq fq_mul(const Fq& a, const Fq& b) {
    u32 t[10];
    UNROLL for (int i = 0; i < 10; i++) t[i] = 0;
    UNROLL for (int i = 0; i < 8; i++) {
        u64 c = 0;
        UNROLL for (int j = 0; j < 8; j++) {
            u64 s = (u64)t[j] + (u64)a.l[j] * (u64)b.l[i] + c;
            t[j] = (u32)s;
            c = s >> 32;
        }
        u64 s = (u64)t[8] + c;
        t[8] = (u32)s;
        t[9] = (u32)(s >> 32);
        u32 m = t[0] * (u32)FQ_INV;
        s = (u64)t[0] + (u64)m * (u64)FQ_P[0];
        c = s >> 32;
        UNROLL for (int j = 1; j < 8; j++) {
            s = (u64)t[j] + (u64)m * (u64)FQ_P[j] + c;
            t[j - 1] = (u32)s;
            c = s >> 32;
        }
        s = (u64)t[8] + c;
        t[7] = (u32)s;
        t[8] = t[9] + (u32)(s >> 32);
    }
    Fq r;
    UNROLL for (int i = 0; i < 8; i++) r.l[i] = t[i];
    // The CIOS result is < 2p; t[8] is its bit 256 (zero for inputs < p, kept for safety).
    return (t[8] != 0 || fq_geq_p(r)) ? fq_sub_p(r) : r;
}

DEVICE Fq fq_sqr(const Fq& a) { return fq_mul(a, a); }

DEVICE bool fq_eq(const Fq& a, const Fq& b) {
    u32 acc = 0;
    UNROLL for (int i = 0; i < 8; i++) acc |= a.l[i] ^ b.l[i];
    return acc == 0;
}

DEVICE Fq fq_load(const u32* p) {
    Fq r;
    UNROLL for (int i = 0; i < 8; i++) r.l[i] = p[i];
    return r;
}

DEVICE void fq_store(u32* p, const Fq& a) {
    UNROLL for (int i = 0; i < 8; i++) p[i] = a.l[i];
}

// ---------------------------------------------------------------------------------------------
// Fq2 = Fq[u] / (u^2 + 1): the field of G2's coordinates.

struct Fq2 {
    Fq c0, c1;
};

// One interface for Fq and Fq2: `f_*` overloads, and `f_zero<F>`, `f_one<F>`, `f_load<F>`
// specialised below.
template <class F> DEVICE F f_zero();
template <class F> DEVICE F f_one();
template <class F> DEVICE F f_load(const u32* p);

template <> DEVICE Fq f_zero<Fq>() { return fq_zero(); }
template <> DEVICE Fq f_one<Fq>() { return fq_one(); }
template <> DEVICE Fq f_load<Fq>(const u32* p) { return fq_load(p); }
DEVICE bool f_is_zero(const Fq& a) { return fq_is_zero(a); }
DEVICE Fq f_add(const Fq& a, const Fq& b) { return fq_add(a, b); }
DEVICE Fq f_sub(const Fq& a, const Fq& b) { return fq_sub(a, b); }
DEVICE Fq f_neg(const Fq& a) { return fq_neg(a); }
DEVICE Fq f_dbl(const Fq& a) { return fq_dbl(a); }
DEVICE Fq f_mul(const Fq& a, const Fq& b) { return fq_mul(a, b); }
DEVICE Fq f_sqr(const Fq& a) { return fq_sqr(a); }
DEVICE void f_store(u32* p, const Fq& a) { fq_store(p, a); }

template <> DEVICE Fq2 f_zero<Fq2>() { Fq2 r; r.c0 = fq_zero(); r.c1 = fq_zero(); return r; }
template <> DEVICE Fq2 f_one<Fq2>() { Fq2 r; r.c0 = fq_one(); r.c1 = fq_zero(); return r; }
template <> DEVICE Fq2 f_load<Fq2>(const u32* p) { Fq2 r; r.c0 = fq_load(p); r.c1 = fq_load(p + 8); return r; }
DEVICE bool f_is_zero(const Fq2& a) { return fq_is_zero(a.c0) && fq_is_zero(a.c1); }
DEVICE Fq2 f_add(const Fq2& a, const Fq2& b) { Fq2 r; r.c0 = fq_add(a.c0, b.c0); r.c1 = fq_add(a.c1, b.c1); return r; }
DEVICE Fq2 f_sub(const Fq2& a, const Fq2& b) { Fq2 r; r.c0 = fq_sub(a.c0, b.c0); r.c1 = fq_sub(a.c1, b.c1); return r; }
DEVICE Fq2 f_neg(const Fq2& a) { Fq2 r; r.c0 = fq_neg(a.c0); r.c1 = fq_neg(a.c1); return r; }
DEVICE Fq2 f_dbl(const Fq2& a) { return f_add(a, a); }
// (a0 + a1 u)(b0 + b1 u) = (a0 b0 - a1 b1) + ((a0 + a1)(b0 + b1) - a0 b0 - a1 b1) u
DEVICE Fq2 f_mul(const Fq2& a, const Fq2& b) {
    Fq v0 = fq_mul(a.c0, b.c0);
    Fq v1 = fq_mul(a.c1, b.c1);
    Fq s = fq_mul(fq_add(a.c0, a.c1), fq_add(b.c0, b.c1));
    Fq2 r;
    r.c0 = fq_sub(v0, v1);
    r.c1 = fq_sub(fq_sub(s, v0), v1);
    return r;
}
DEVICE Fq2 f_sqr(const Fq2& a) { return f_mul(a, a); }
DEVICE void f_store(u32* p, const Fq2& a) { fq_store(p, a.c0); fq_store(p + 8, a.c1); }

// ---------------------------------------------------------------------------------------------
// Points on y^2 = x^3 + b (a = 0) over F: affine bases and XYZZ accumulators.
// Formulas: hyperelliptic.org EFD, shortw/xyzz (madd-2008-s, dbl-2008-s-1, add-2008-s), with
// the exceptional cases P = Q (doubling) and P = -Q (identity) branched.

template <class F> struct Affine {
    F x, y;
};

template <class F> struct Xyzz {
    F x, y, zz, zzz;
};

template <class F> DEVICE Xyzz<F> xyzz_identity() {
    Xyzz<F> r;
    r.x = f_zero<F>();
    r.y = r.x;
    r.zz = r.x;
    r.zzz = r.x;
    return r;
}

template <class F> DEVICE bool xyzz_is_identity(const Xyzz<F>& p) { return f_is_zero(p.zz); }

// 2 * p (dbl-2008-s-1).
template <class F> POINT_OP Xyzz<F> xyzz_double(const Xyzz<F>& p) {
    if (xyzz_is_identity(p)) return p;
    F u = f_dbl(p.y);
    F v = f_sqr(u);
    F w = f_mul(u, v);
    F s = f_mul(p.x, v);
    F x2 = f_sqr(p.x);
    F m = f_add(f_dbl(x2), x2);
    Xyzz<F> r;
    r.x = f_sub(f_sqr(m), f_dbl(s));
    r.y = f_sub(f_mul(m, f_sub(s, r.x)), f_mul(w, p.y));
    r.zz = f_mul(v, p.zz);
    r.zzz = f_mul(w, p.zzz);
    return r;
}

// 2 * (x, y) for an affine point: the doubling above with ZZ = ZZZ = 1 (reached only when a
// bucket holds the same point twice).
template <class F> POINT_OP Xyzz<F> xyzz_double_affine(const Affine<F>& q) {
    Xyzz<F> p;
    p.x = q.x;
    p.y = q.y;
    p.zz = f_one<F>();
    p.zzz = p.zz;
    return xyzz_double(p);
}

// acc + q for an affine q (madd-2008-s).
template <class F> POINT_OP Xyzz<F> xyzz_add_affine(const Xyzz<F>& acc, const Affine<F>& q) {
    if (xyzz_is_identity(acc)) {
        Xyzz<F> r;
        r.x = q.x;
        r.y = q.y;
        r.zz = f_one<F>();
        r.zzz = r.zz;
        return r;
    }
    F p = f_sub(f_mul(q.x, acc.zz), acc.x);
    F rr = f_sub(f_mul(q.y, acc.zzz), acc.y);
    if (f_is_zero(p)) {
        if (f_is_zero(rr)) return xyzz_double_affine(q);
        return xyzz_identity<F>();
    }
    F pp = f_sqr(p);
    F ppp = f_mul(p, pp);
    F qq = f_mul(acc.x, pp);
    Xyzz<F> r;
    r.x = f_sub(f_sub(f_sqr(rr), ppp), f_dbl(qq));
    r.y = f_sub(f_mul(rr, f_sub(qq, r.x)), f_mul(acc.y, ppp));
    r.zz = f_mul(acc.zz, pp);
    r.zzz = f_mul(acc.zzz, ppp);
    return r;
}

// a + b (add-2008-s).
template <class F> POINT_OP Xyzz<F> xyzz_add(const Xyzz<F>& a, const Xyzz<F>& b) {
    if (xyzz_is_identity(a)) return b;
    if (xyzz_is_identity(b)) return a;
    F u1 = f_mul(a.x, b.zz);
    F u2 = f_mul(b.x, a.zz);
    F s1 = f_mul(a.y, b.zzz);
    F s2 = f_mul(b.y, a.zzz);
    F p = f_sub(u2, u1);
    F rr = f_sub(s2, s1);
    if (f_is_zero(p)) {
        if (f_is_zero(rr)) return xyzz_double(a);
        return xyzz_identity<F>();
    }
    F pp = f_sqr(p);
    F ppp = f_mul(p, pp);
    F qq = f_mul(u1, pp);
    Xyzz<F> r;
    r.x = f_sub(f_sub(f_sqr(rr), ppp), f_dbl(qq));
    r.y = f_sub(f_mul(rr, f_sub(qq, r.x)), f_mul(s1, ppp));
    r.zz = f_mul(f_mul(a.zz, b.zz), pp);
    r.zzz = f_mul(f_mul(a.zzz, b.zzz), ppp);
    return r;
}

// m * p for a small m (double and add from the top bit).
template <class F> DEVICE Xyzz<F> xyzz_mul_small(const Xyzz<F>& p, u32 m) {
    Xyzz<F> r = xyzz_identity<F>();
    for (int bit = 31; bit >= 0; bit--) {
        r = xyzz_double(r);
        if ((m >> bit) & 1) r = xyzz_add(r, p);
    }
    return r;
}

// Words of one F, one affine point, one XYZZ point.
template <class F> struct Words;
template <> struct Words<Fq> { static const u32 FIELD = 8; };
template <> struct Words<Fq2> { static const u32 FIELD = 16; };

template <class F> DEVICE Xyzz<F> xyzz_load(const u32* p) {
    const u32 w = Words<F>::FIELD;
    Xyzz<F> r;
    r.x = f_load<F>(p);
    r.y = f_load<F>(p + w);
    r.zz = f_load<F>(p + 2 * w);
    r.zzz = f_load<F>(p + 3 * w);
    return r;
}

template <class F> DEVICE void xyzz_store(u32* p, const Xyzz<F>& a) {
    const u32 w = Words<F>::FIELD;
    f_store(p, a.x);
    f_store(p + w, a.y);
    f_store(p + 2 * w, a.zz);
    f_store(p + 3 * w, a.zzz);
}

// The base of a sorted entry: index in the low 31 bits, negated when bit 31 is set.
template <class F> DEVICE Affine<F> base_load(const u32* bases, u32 entry) {
    const u32 w = Words<F>::FIELD;
    const u32* p = bases + (u64)(entry & 0x7fffffffu) * (2 * w);
    Affine<F> q;
    q.x = f_load<F>(p);
    q.y = f_load<F>(p + w);
    if (entry >> 31) q.y = f_neg(q.y);
    return q;
}

// ---------------------------------------------------------------------------------------------
// Signed digits and the counting sort.

// Bits [bit, bit + c) of a 256-bit scalar (8 limbs), zero past bit 255.
DEVICE u32 window_value(const u32* s, u32 bit, u32 c) {
    u32 limb = bit >> 5;
    u32 sh = bit & 31;
    if (limb >= 8) return 0;
    u32 v = s[limb] >> sh;
    if (sh + c > 32 && limb + 1 < 8) v |= s[limb + 1] << (32 - sh);
    return v & ((1u << c) - 1);
}

// Thread (b, i) = b * n + i: the digits of scalar i of vector b, window by window, as
// magnitude (0 = none) and sign; each non-zero digit is counted in, or scattered to, bucket
// (b * windows + j) * nb + magnitude - 1.
DEVICE void digits_pass(const u32* scalars, u32 n, u32 batch, u32 c, u32 windows, u32* counts,
                        u32* cursor, u32* sorted_entry, u32* sorted_key) {
    u64 tid = THREAD_ID;
    if (tid >= (u64)n * (u64)batch) return;
    u32 b = (u32)(tid / n);
    u32 i = (u32)(tid % n);
    u32 s[8];
    UNROLL for (int k = 0; k < 8; k++) s[k] = scalars[tid * 8 + k];
    u32 nb = 1u << (c - 1);
    u32 carry = 0;
    for (u32 j = 0; j < windows; j++) {
        u32 raw = window_value(s, j * c, c) + carry;
        u32 mag;
        u32 neg;
        if (raw > nb) {
            mag = (1u << c) - raw;
            neg = 1;
            carry = 1;
        } else {
            mag = raw;
            neg = 0;
            carry = 0;
        }
        if (mag == 0) continue;
        u32 key = (b * windows + j) * nb + (mag - 1);
        if (counts) {
            atomicAdd(&counts[key], 1u);
        } else {
            u32 pos = atomicAdd(&cursor[key], 1u);
            sorted_entry[pos] = i | (neg << 31);
            sorted_key[pos] = key;
        }
    }
}

KERNEL void msm_count_digits(const u32* scalars, u32 n, u32 batch, u32 c, u32 windows,
                             u32* counts) {
    digits_pass(scalars, n, batch, c, windows, counts, 0, 0, 0);
}

KERNEL void msm_scatter_digits(const u32* scalars, u32 n, u32 batch, u32 c, u32 windows,
                               u32* cursor, u32* sorted_entry, u32* sorted_key) {
    digits_pass(scalars, n, batch, c, windows, 0, cursor, sorted_entry, sorted_key);
}

// Exclusive scan, in three steps for long arrays: the sums of chunks of `chunk` values, the
// scan of those sums (recursively, on the host's orders), then each chunk's scan from its base.
KERNEL void scan_chunk_sums(const u32* values, u32 len, u32 chunk, u32* sums) {
    u64 t = THREAD_ID;
    u64 start = t * chunk;
    if (start >= len) return;
    u64 end = start + chunk < len ? start + chunk : len;
    u32 acc = 0;
    for (u64 k = start; k < end; k++) acc += values[k];
    sums[t] = acc;
}

// out[k] = base[t] + values[chunk start .. k) for k in chunk t; out[len] = the total.
KERNEL void scan_chunks(const u32* values, u32 len, u32 chunk, const u32* bases, u32* out) {
    u64 t = THREAD_ID;
    u64 start = t * chunk;
    if (start >= len) return;
    u64 end = start + chunk < len ? start + chunk : len;
    u32 acc = bases[t];
    for (u64 k = start; k < end; k++) {
        out[k] = acc;
        acc += values[k];
    }
    if (end == len) out[len] = acc;
}

// ---------------------------------------------------------------------------------------------
// Bucket sums.

template <class F>
DEVICE void accumulate(const u32* bases, const u32* sorted_entry, const u32* sorted_key, u32 len,
                       u32 chunk, u32* buckets, u32* left, u32* right) {
    const u32 pw = 4 * Words<F>::FIELD;
    u64 t = THREAD_ID;
    u64 a = t * chunk;
    if (a >= len) return;
    u64 e = a + chunk < len ? a + chunk : len;
    u64 pos = a;
    while (pos < e) {
        u32 key = sorted_key[pos];
        u64 run_start = pos;
        Xyzz<F> acc = xyzz_identity<F>();
        while (pos < e && sorted_key[pos] == key) {
            acc = xyzz_add_affine(acc, base_load<F>(bases, sorted_entry[pos]));
            pos++;
        }
        bool continues_left = run_start == a && a > 0 && sorted_key[a - 1] == key;
        bool continues_right = pos == e && e < len && sorted_key[e] == key;
        if (!continues_left && !continues_right) {
            xyzz_store(buckets + (u64)key * pw, acc);
        } else if (run_start == a) {
            xyzz_store(left + t * pw, acc);
        } else {
            xyzz_store(right + t * pw, acc);
        }
    }
}

template <class F>
DEVICE void fixup(const u32* offsets, u32 num_buckets, u32 chunk, const u32* left,
                  const u32* right, u32* buckets) {
    const u32 pw = 4 * Words<F>::FIELD;
    u64 g = THREAD_ID;
    if (g >= num_buckets) return;
    u32 s = offsets[g];
    u32 e = offsets[g + 1];
    if (e <= s) return;
    u32 t0 = s / chunk;
    u32 t1 = (e - 1) / chunk;
    if (t0 == t1) return;
    Xyzz<F> acc = xyzz_load<F>((s == t0 * chunk ? left : right) + (u64)t0 * pw);
    for (u32 t = t0 + 1; t <= t1; t++) acc = xyzz_add(acc, xyzz_load<F>(left + (u64)t * pw));
    xyzz_store(buckets + g * pw, acc);
}

// Thread (w, k): buckets k*seg .. (k+1)*seg of window w weighted by their digit: sum_q (k*seg +
// q + 1) * B_(k*seg + q), as a running sum plus (k*seg) times the plain sum.
template <class F>
DEVICE void reduce(const u32* buckets, u32 num_windows, u32 nb, u32 seg, u32* out) {
    const u32 pw = 4 * Words<F>::FIELD;
    u32 groups = nb / seg;
    u64 tid = THREAD_ID;
    if (tid >= (u64)num_windows * groups) return;
    u64 w = tid / groups;
    u32 k = (u32)(tid % groups);
    const u32* base = buckets + (w * nb + (u64)k * seg) * pw;
    Xyzz<F> running = xyzz_identity<F>();
    Xyzz<F> sum = xyzz_identity<F>();
    for (int q = (int)seg - 1; q >= 0; q--) {
        running = xyzz_add(running, xyzz_load<F>(base + (u64)q * pw));
        sum = xyzz_add(sum, running);
    }
    sum = xyzz_add(sum, xyzz_mul_small(running, k * seg));
    xyzz_store(out + tid * pw, sum);
}

template <class F> DEVICE void sum_groups(const u32* in, u32 groups, u32 group_len, u32* out) {
    const u32 pw = 4 * Words<F>::FIELD;
    u64 g = THREAD_ID;
    if (g >= groups) return;
    Xyzz<F> acc = xyzz_identity<F>();
    for (u32 q = 0; q < group_len; q++)
        acc = xyzz_add(acc, xyzz_load<F>(in + (g * group_len + q) * pw));
    xyzz_store(out + g * pw, acc);
}

KERNEL void g1_accumulate(const u32* bases, const u32* sorted_entry, const u32* sorted_key,
                          u32 len, u32 chunk, u32* buckets, u32* left, u32* right) {
    accumulate<Fq>(bases, sorted_entry, sorted_key, len, chunk, buckets, left, right);
}
KERNEL void g2_accumulate(const u32* bases, const u32* sorted_entry, const u32* sorted_key,
                          u32 len, u32 chunk, u32* buckets, u32* left, u32* right) {
    accumulate<Fq2>(bases, sorted_entry, sorted_key, len, chunk, buckets, left, right);
}
KERNEL void g1_fixup(const u32* offsets, u32 num_buckets, u32 chunk, const u32* left,
                     const u32* right, u32* buckets) {
    fixup<Fq>(offsets, num_buckets, chunk, left, right, buckets);
}
KERNEL void g2_fixup(const u32* offsets, u32 num_buckets, u32 chunk, const u32* left,
                     const u32* right, u32* buckets) {
    fixup<Fq2>(offsets, num_buckets, chunk, left, right, buckets);
}
KERNEL void g1_reduce(const u32* buckets, u32 num_windows, u32 nb, u32 seg, u32* out) {
    reduce<Fq>(buckets, num_windows, nb, seg, out);
}
KERNEL void g2_reduce(const u32* buckets, u32 num_windows, u32 nb, u32 seg, u32* out) {
    reduce<Fq2>(buckets, num_windows, nb, seg, out);
}
KERNEL void g1_sum_groups(const u32* in, u32 groups, u32 group_len, u32* out) {
    sum_groups<Fq>(in, groups, group_len, out);
}
KERNEL void g2_sum_groups(const u32* in, u32 groups, u32 group_len, u32* out) {
    sum_groups<Fq2>(in, groups, group_len, out);
}
