export interface Context { placeholder?: true }
