DROP TABLE action_skill_tags;
