export interface CategoryStatModel { categoryId: number; productCount: number }
