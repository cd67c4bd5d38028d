"""Texts and a synonym dict shared by the augmentation tests."""

# Texts with punctuation, capitals, an empty string, emoji and Chinese.
TEXTS = [
    "Great dress, I love the soft fabric!",
    "",
    "terrible quality, returned it 😞",
    "这件衣服很好 😀",
    "Fits well and the colour is beautiful.",
    "too small",
]
SYNONYMS = {
    "great": ["excellent", "terrific"],
    "dress": ["gown", "frock"],
    "love": ["adore"],
    "soft": ["smooth"],
    "fabric": ["material", "cloth"],
    "terrible": ["awful"],
    "quality": ["grade"],
    "returned": ["sent back"],
    "fits": ["suits"],
    "colour": ["color", "hue"],
    "beautiful": ["lovely", "pretty"],
    "small": ["little", "tiny"],
    "好": ["佳"],
    "衣": ["服"],
}
