"""Risk points (风险点) and their graded assessments (LEC / LS), control measures, 四色图."""
