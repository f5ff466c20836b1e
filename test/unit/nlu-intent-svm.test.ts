import { trainMulticlassSvm, DEFAULT_SVM_OPTIONS, type LinearWeights } from '../../nlu/intent/multiclass-svm';
import { toSparseMatrix } from '../../nlu/intent/sparse-matrix';

function row(entries: Array<[number, number]>) {
  return { indices: Int32Array.from(entries.map(([i]) => i)), values: Float32Array.from(entries.map(([, v]) => v)) };
}

function predict(model: LinearWeights, entries: Array<[number, number]>): number {
  const scores = Array.from(model.bias);
  for (const [f, v] of entries) for (let c = 0; c < model.classes; c++) scores[c] += model.weights[f * model.classes + c] * v;
  return scores.indexOf(Math.max(...scores));
}

describe('trainMulticlassSvm', () => {
  it('separates classes that share features, by the features that differ', () => {
    // Feature 0 is common to all; 1, 2, 3 mark the classes; 4 is noise on some rows.
    const data: Array<[Array<[number, number]>, number]> = [];
    for (let c = 0; c < 3; c++) {
      for (let k = 0; k < 6; k++) data.push([[[0, 0.6], [c + 1, 0.8], ...(k % 2 ? [[4, 0.3] as [number, number]] : [])], c]);
    }
    const matrix = toSparseMatrix(data.map(([e]) => row(e)), 5);
    const model = trainMulticlassSvm(matrix, Int32Array.from(data.map(([, y]) => y)), 3);
    for (const [entries, label] of data) expect(predict(model, entries)).toBe(label);
    expect(predict(model, [[2, 1]])).toBe(1);
  });

  it('lets class weights decide between identical examples', () => {
    const same: Array<[number, number]> = [[0, 1]];
    const matrix = toSparseMatrix(Array.from({ length: 10 }, () => row(same)), 1);
    const labels = Int32Array.from({ length: 10 }, (_, i) => (i < 6 ? 0 : 1));
    const plain = trainMulticlassSvm(matrix, labels, 2);
    expect(predict(plain, same)).toBe(0); // the majority
    const weighted = trainMulticlassSvm(matrix, labels, 2, { ...DEFAULT_SVM_OPTIONS, classWeights: Float64Array.from([1, 3]) });
    expect(predict(weighted, same)).toBe(1);
  });
});
