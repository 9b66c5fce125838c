/* The BLAS/LAPACK wrappers against numpy (tests/reference/make_pca.py) and
 * against small products worked by hand. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/linalg.h"
#include "testmat.h"
#include "testutil.h"

const char *lt_test_root = ".";
static lt_json *ref, *mvn_ref;

static double max_abs_diff(const double *a, const double *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        if (!(fabs(a[i] - b[i]) <= m))
            m = fabs(a[i] - b[i]);
    return m;
}

static void test_means_and_covariance(void)
{
    const lt_json *lec = lt_json_get(ref, "lecture");
    lt_mat *x = lt_test_mat(lt_json_get(lec, "X"));
    double mean[5], cov[25];
    lt_col_means(x->v, 10, 5, mean);
    NEAR("10x5 column means", lt_test_maxdiff(mean, 5, lt_json_get(lt_json_get(lec, "all"), "mean")),
         1e-15);
    CU_ASSERT_EQUAL(lt_covariance(x->v, 10, 5, mean, cov), LT_LA_OK);
    lt_mat covm = {.rows = 5, .cols = 5, .v = cov};
    NEAR("10x5 covariance vs np.cov", lt_test_mat_maxdiff(&covm, lt_json_get(lec, "cov")), 1e-15);
    CU_ASSERT_EQUAL(cov[1 * 5 + 3], cov[3 * 5 + 1]); /* both triangles */

    double c[25];
    lt_center(x->v, x->v, 10, 5, mean); /* in place */
    double zero[5] = {0};
    lt_col_means(x->v, 10, 5, mean);
    CU_ASSERT(max_abs_diff(mean, zero, 5) < 1e-15);
    CU_ASSERT_EQUAL(lt_covariance(x->v, 10, 5, zero, c), LT_LA_OK);
    NEAR("covariance of the centred copy", max_abs_diff(c, cov, 25), 1e-15);
    lt_mat_free(&x);

    const lt_json *m = lt_json_get(mvn_ref, "mvn");
    x = lt_test_mat(lt_json_get(m, "X"));
    double mean2[2], cov2[4];
    lt_col_means(x->v, x->rows, 2, mean2);
    CU_ASSERT_EQUAL(lt_covariance(x->v, x->rows, 2, mean2, cov2), LT_LA_OK);
    NEAR("10000x2 means", lt_test_maxdiff(mean2, 2, lt_json_get(m, "mean")), 1e-14);
    lt_mat cov2m = {.rows = 2, .cols = 2, .v = cov2};
    NEAR("10000x2 covariance", lt_test_mat_maxdiff(&cov2m, lt_json_get(m, "cov")), 1e-14);
    lt_mat_free(&x);
}

static void test_eigh(void)
{
    const lt_json *m = lt_json_get(mvn_ref, "mvn");
    lt_mat *c = lt_test_mat(lt_json_get(m, "cov"));
    double values[2], vectors[4];
    CU_ASSERT_EQUAL_FATAL(lt_eigh_desc(c->v, 2, values, vectors), LT_LA_OK);
    NEAR("2x2 eigenvalues, descending", lt_test_maxdiff(values, 2, lt_json_get(m, "eigenvalues")),
         1e-14);
    /* The reference signs each vector so its largest entry is positive. */
    for (int i = 0; i < 2; i++) {
        double *row = vectors + 2 * i;
        if (row[fabs(row[1]) > fabs(row[0])] < 0)
            row[0] = -row[0], row[1] = -row[1];
    }
    lt_mat vm = {.rows = 2, .cols = 2, .v = vectors};
    NEAR("2x2 eigenvectors (rows)", lt_test_mat_maxdiff(&vm, lt_json_get(m, "eigenvectors")), 1e-14);
    lt_mat_free(&c);

    /* A diagonal matrix: exact eigenvalues, unit vectors, in descending order. */
    double d[9] = {1, 0, 0, 0, 3, 0, 0, 0, 2}, w[3], v[9];
    CU_ASSERT_EQUAL_FATAL(lt_eigh_desc(d, 3, w, v), LT_LA_OK);
    CU_ASSERT_EQUAL(w[0], 3);
    CU_ASSERT_EQUAL(w[1], 2);
    CU_ASSERT_EQUAL(w[2], 1);
    CU_ASSERT_EQUAL(fabs(v[0 * 3 + 1]), 1);
    CU_ASSERT_EQUAL(fabs(v[1 * 3 + 2]), 1);
    CU_ASSERT_EQUAL(fabs(v[2 * 3 + 0]), 1);
    CU_ASSERT_EQUAL(d[4], 3); /* input untouched */
}

/* The two-step form: every eigenvalue, then only the leading vectors. */
static void test_symeig_partial(void)
{
    const lt_json *lec = lt_json_get(ref, "lecture");
    const lt_json *all = lt_json_get(lec, "all");
    lt_mat *c = lt_test_mat(lt_json_get(lec, "cov"));
    lt_symeig eig;
    double values[5], vectors[2 * 5];
    CU_ASSERT_EQUAL_FATAL(lt_symeig_values(&eig, c->v, 5, values), LT_LA_OK);
    NEAR("10x5 covariance eigenvalues = PCA explained variance",
         lt_test_maxdiff(values, 5, lt_json_get(all, "full_explained_variance")), 1e-14);
    CU_ASSERT_EQUAL_FATAL(lt_symeig_vectors(&eig, 2, vectors), LT_LA_OK);
    lt_symeig_free(&eig);
    /* Up to sign, the two leading vectors are scikit-learn's components. */
    const lt_json *comp = lt_json_get(all, "components");
    double worst = 0;
    for (size_t i = 0; i < 2; i++) {
        double dot = 0;
        for (size_t j = 0; j < 5; j++)
            dot += vectors[i * 5 + j] * lt_json_number(lt_json_at(lt_json_at(comp, i), j));
        for (size_t j = 0; j < 5; j++) {
            double e = fabs((dot < 0 ? -1 : 1) * vectors[i * 5 + j] -
                            lt_json_number(lt_json_at(lt_json_at(comp, i), j)));
            worst = e > worst ? e : worst;
        }
    }
    NEAR("10x5 two leading eigenvectors = PCA components (up to sign)", worst, 1e-13);
    lt_mat_free(&c);
}

static void test_svd(void)
{
    const lt_json *lec = lt_json_get(ref, "lecture");
    lt_mat *x = lt_test_mat(lt_json_get(lec, "X"));
    double mean[5], u[50], s[5], vt[25];
    lt_col_means(x->v, 10, 5, mean);
    CU_ASSERT_EQUAL_FATAL(lt_svd_thin(x->v, 10, 5, mean, u, s, vt), LT_LA_OK);
    NEAR("10x5 singular values vs numpy", lt_test_maxdiff(s, 5, lt_json_get(lec, "numpy_singular_values")),
         1e-14);
    /* U diag(s) Vt reproduces the centred matrix. */
    double worst = 0;
    for (size_t i = 0; i < 10; i++)
        for (size_t j = 0; j < 5; j++) {
            double r = 0;
            for (size_t k = 0; k < 5; k++)
                r += u[i * 5 + k] * s[k] * vt[k * 5 + j];
            double e = fabs(r - (x->v[i * 5 + j] - mean[j]));
            worst = e > worst ? e : worst;
        }
    NEAR("10x5 U S Vt = X - mean", worst, 1e-14);

    /* The wide transpose has the same singular values. */
    double xt[50], ut[25], st[5], vtt[50];
    for (size_t i = 0; i < 10; i++)
        for (size_t j = 0; j < 5; j++)
            xt[j * 10 + i] = x->v[i * 5 + j] - mean[j];
    CU_ASSERT_EQUAL_FATAL(lt_svd_thin(xt, 5, 10, NULL, ut, st, vtt), LT_LA_OK);
    NEAR("5x10 transpose: same singular values", max_abs_diff(s, st, 5), 1e-14);
    lt_mat_free(&x);
}

static void test_gemm(void)
{
    double a[6] = {1, 2, 3, 4, 5, 6}; /* 2 x 3 */
    double b[6] = {1, 0, 0, 1, 1, 1}; /* 3 x 2 */
    double c[4] = {1, 1, 1, 1};
    CU_ASSERT_EQUAL(lt_gemm(false, false, 2, 2, 3, 1.0, a, b, 0.0, c), LT_LA_OK);
    double ab[4] = {4, 5, 10, 11};
    CU_ASSERT_EQUAL(max_abs_diff(c, ab, 4), 0);
    /* A^T A with A read as 2 x 3: 3 x 3. */
    double ata[9];
    CU_ASSERT_EQUAL(lt_gemm(true, false, 3, 3, 2, 1.0, a, a, 0.0, ata), LT_LA_OK);
    double want[9] = {17, 22, 27, 22, 29, 36, 27, 36, 45};
    CU_ASSERT_EQUAL(max_abs_diff(ata, want, 9), 0);
    /* C = 2 A B^T + C with B read as 2 x 3 (b as 2 rows of 3). */
    double cc[4] = {1, 1, 1, 1};
    CU_ASSERT_EQUAL(lt_gemm(false, true, 2, 2, 3, 2.0, a, b, 1.0, cc), LT_LA_OK);
    double abt[4] = {1 + 2 * (1 + 0 + 0), 1 + 2 * (1 * 1 + 2 * 1 + 3 * 1),
                     1 + 2 * (4 + 0 + 0), 1 + 2 * (4 + 5 + 6)};
    CU_ASSERT_EQUAL(max_abs_diff(cc, abt, 4), 0);
    CU_ASSERT(lt_linalg_fits(2147483647u, 3));
    CU_ASSERT(!lt_linalg_fits((size_t)1 << 31, 3));
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("pca.json");
    mvn_ref = lt_test_reference("pca_mvn.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("linalg", NULL, NULL);
    CU_add_test(s, "column means, centring, covariance", test_means_and_covariance);
    CU_add_test(s, "symmetric eigenpairs, descending", test_eigh);
    CU_add_test(s, "eigenvalues, then leading eigenvectors", test_symeig_partial);
    CU_add_test(s, "thin SVD", test_svd);
    CU_add_test(s, "matrix products", test_gemm);
    int rc = lt_test_run();
    lt_json_free(ref);
    lt_json_free(mvn_ref);
    return rc;
}
