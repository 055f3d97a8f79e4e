/** The recipe plan: which sources to use, how many records from each, and the processing operations. */

export interface Plan {
  training_data: { dataset_id: string; split: string; sample_num: number; reason: string }[];
  rejected: { dataset_id: string; reason: string }[];
  workflow: string;
  operations: {
    dedup_exact: boolean;
    dedup_near: boolean;
    near_threshold: number;
    filter_outliers: boolean;
    outlier_z: number;
    decontaminate: boolean;
    min_answer_chars: number;
    max_answer_chars?: number;
  };
}
