"""Major hazards (重大危险源): GB 18218-2018 identification and grading, and their register."""
