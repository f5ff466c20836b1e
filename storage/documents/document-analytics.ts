import type { DocumentCollection, StoredDocument } from '../document-collection';
import type { Analytics, AnalyticsCollection, PipelineStage } from '../ports';

/** What analytics needs of a collection: running a pipeline over its documents. */
export type AggregateSource = Pick<DocumentCollection<StoredDocument>, 'aggregate'>;

/**
 * Analytics over the store's document collections. A collection this store does not hold yet
 * (e.g. `offer_events` before offers are recorded) aggregates to nothing rather than failing, so
 * the insights work on any store.
 */
export class DocumentAnalytics implements Analytics {
  constructor(private readonly collections: Partial<Record<AnalyticsCollection, AggregateSource>>) {}

  async aggregate<T>(collection: AnalyticsCollection, pipeline: readonly PipelineStage[]): Promise<T[]> {
    const source = this.collections[collection];
    return source === undefined ? [] : source.aggregate<T>(pipeline);
  }
}
