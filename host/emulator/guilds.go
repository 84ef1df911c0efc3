package emulator

import (
	"net/http"
	"slices"
)

func (s *Server) guildLocked(id string) (*guildState, *apiError) {
	if gs := s.w.guild(id); gs != nil {
		return gs, nil
	}
	return nil, errUnknownGuild
}

func (s *Server) getGuild(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gs, e := s.guildLocked(r.PathValue("guild_id"))
	if e != nil {
		e.write(w)
		return
	}
	writeJSON(w, http.StatusOK, s.w.fullGuild(gs, false))
}

func (s *Server) getGuildChannels(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gs, e := s.guildLocked(r.PathValue("guild_id"))
	if e != nil {
		e.write(w)
		return
	}
	out := []Channel{}
	for _, id := range gs.channels {
		out = append(out, *s.w.channels[id])
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getRoles(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gs, e := s.guildLocked(r.PathValue("guild_id"))
	if e != nil {
		e.write(w)
		return
	}
	writeJSON(w, http.StatusOK, gs.guild.Roles)
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gs, e := s.guildLocked(r.PathValue("guild_id"))
	if e != nil {
		e.write(w)
		return
	}
	limit := queryInt(r, "limit", 1, 1, 1000)
	after := r.URL.Query().Get("after")
	ids := slices.Clone(gs.order)
	slices.SortFunc(ids, func(a, b string) int {
		if snowflakeLess(a, b) {
			return -1
		}
		return 1
	})
	out := []Member{}
	for _, id := range ids {
		if after != "" && !snowflakeLess(after, id) {
			continue
		}
		m, _ := gs.member(id)
		out = append(out, m)
		if len(out) == limit {
			break
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getMember(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gs, e := s.guildLocked(r.PathValue("guild_id"))
	if e != nil {
		e.write(w)
		return
	}
	m, ok := gs.member(r.PathValue("user_id"))
	if !ok {
		errUnknownMember.write(w)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) addMemberRole(w http.ResponseWriter, r *http.Request)    { s.memberRole(w, r, true) }
func (s *Server) removeMemberRole(w http.ResponseWriter, r *http.Request) { s.memberRole(w, r, false) }

func (s *Server) memberRole(w http.ResponseWriter, r *http.Request, add bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gs, e := s.guildLocked(r.PathValue("guild_id"))
	if e != nil {
		e.write(w)
		return
	}
	m := gs.members[r.PathValue("user_id")]
	if m == nil {
		errUnknownMember.write(w)
		return
	}
	role := r.PathValue("role_id")
	if !gs.hasRole(role) || role == gs.guild.ID {
		errUnknownRole.write(w)
		return
	}
	has := slices.Contains(m.Roles, role)
	if add && !has {
		m.Roles = append(m.Roles, role)
	} else if !add && has {
		m.Roles = slices.DeleteFunc(m.Roles, func(x string) bool { return x == role })
	}
	if add != has {
		mem, _ := gs.member(m.User.ID)
		mem.GuildID = gs.guild.ID
		s.dispatchLocked("GUILD_MEMBER_UPDATE", gs.guild.ID, mustJSON(mem), nil)
	}
	writeNoContent(w)
}
