"""yigongti — the information platform of a tight county medical consortium (紧密型县域医共体)."""
