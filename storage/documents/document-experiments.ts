import { AttuneError } from '../../core/errors';
import type { DocumentCollection } from '../document-collection';
import type { ExperimentChanges, ExperimentExposure, ExperimentRecord, Experiments } from '../ports';

/** A stored experiment: the record with `_id` for `id`. */
export interface ExperimentDocument extends Omit<ExperimentRecord, 'id'> {
  readonly _id: string;
}

/** One exposure, keyed `<experimentId>:<conversationId>` so a conversation counts once per experiment. */
export interface ExperimentExposureDocument extends ExperimentExposure {
  readonly _id: string;
}

/** Experiments and their exposures over two document collections (every technology). */
export class DocumentExperiments implements Experiments {
  constructor(
    private readonly experiments: DocumentCollection<ExperimentDocument>,
    private readonly exposureLog: DocumentCollection<ExperimentExposureDocument>,
  ) {}

  async create(record: ExperimentRecord): Promise<void> {
    const { id, ...fields } = record;
    if (await this.experiments.insertOne({ _id: id, ...fields })) return;
    throw new AttuneError('ATTUNE_STORAGE_CONFLICT', `Experiment ${id} already exists.`);
  }

  async get(id: string): Promise<ExperimentRecord | undefined> {
    const doc = await this.experiments.findOne({ _id: id });
    return doc === undefined ? undefined : toRecord(doc);
  }

  async list(): Promise<ExperimentRecord[]> {
    return (await this.experiments.find({}, { sort: { createdAt: -1 } })).map(toRecord);
  }

  async update(id: string, changes: ExperimentChanges, at: Date): Promise<ExperimentRecord | undefined> {
    const matched = await this.experiments.updateOne({ _id: id }, { ...changes, updatedAt: at });
    return matched === 0 ? undefined : this.get(id);
  }

  async recordExposure(exposure: ExperimentExposure): Promise<boolean> {
    return this.exposureLog.insertOne({ _id: `${exposure.experimentId}:${exposure.conversationId}`, ...exposure });
  }

  async exposures(experimentId: string): Promise<ExperimentExposure[]> {
    const docs = await this.exposureLog.find({ experimentId }, { sort: { at: 1 } });
    return docs.map(({ _id: _key, ...exposure }) => exposure);
  }
}

function toRecord(doc: ExperimentDocument): ExperimentRecord {
  const { _id, ...fields } = doc;
  return { id: _id, ...fields };
}
