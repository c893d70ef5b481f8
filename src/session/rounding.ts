/** The rounding allowance moved to core (the hyperparameter loop needs it too); kept so session imports stay valid. */
export * from '../core/diagnosis/rounding';
