export { PROBABILITY_EPSILON, clipProbability, binaryLogLoss, perLabelLogLoss, weightedLogLoss, meanLogLoss } from "./log-loss";
export { rocAuc, rocAucDetailed, type AucResult } from "./roc-auc";
export { rocCurve, downsampleCurve, curveArea, DEFAULT_ROC_POINTS, type RocPoint } from "./roc-curve";
export { thresholdMetrics, type ThresholdMetrics, type ConfusionCounts } from "./threshold";
export { evaluate, DEFAULT_THRESHOLD, type Evaluation, type EvaluateOptions, type LabelEvaluation } from "./evaluate";
export { maxByGroup, type GroupedRows } from "./aggregate";
export { column, type Numbers } from "./matrix";
