import type { AttributeDefinition, Category } from "../../generated/prisma/client";
export type CategoryModel = Category;
export type AttributeDefinitionModel = AttributeDefinition;
export interface CategoryTreeNodeModel { category: Category; children: CategoryTreeNodeModel[] }
