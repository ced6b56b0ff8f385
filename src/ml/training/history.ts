// One row of the training log: mean training loss over the iterations since the previous row.
export interface HistoryRow {
  iteration: number;
  train_loss: number;
  lr: number;
}
