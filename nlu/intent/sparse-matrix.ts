/** Compressed sparse rows: the training matrix the linear learners iterate over. */
import type { SparseVector } from './features';
import { seededRandom } from '../../core/seeded-random';

export interface SparseMatrix {
  readonly rows: number;
  readonly columns: number;
  /** Row i's entries are `indices/values[rowStart[i] … rowStart[i + 1])`. */
  readonly rowStart: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

export function toSparseMatrix(vectors: readonly SparseVector[], columns: number): SparseMatrix {
  const rowStart = new Int32Array(vectors.length + 1);
  let nnz = 0;
  vectors.forEach((v, i) => {
    nnz += v.indices.length;
    rowStart[i + 1] = nnz;
  });
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  vectors.forEach((v, i) => {
    indices.set(v.indices, rowStart[i]);
    values.set(v.values, rowStart[i]);
  });
  return { rows: vectors.length, columns, rowStart, indices, values };
}

export { seededRandom };

export function shuffleInPlace(array: Int32Array, length: number, random: () => number): void {
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = array[i];
    array[i] = array[j];
    array[j] = t;
  }
}
