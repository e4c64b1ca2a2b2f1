/** The dashboard's views, switched with the keys shown in the footer. */
export type View = "overview" | "breakdown" | "limits" | "live" | "audit";
